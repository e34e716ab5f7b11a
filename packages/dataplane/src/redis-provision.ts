import { redisKeyPrefixOf, redisUserOf, type Tenant } from "@ppi/config"

/**
 * The exact script the in-cluster provisioning Job runs with `redis-cli` (POSIX sh, as in the
 * alpine Redis image), identical for every tenant. The tenant's values and both passwords come
 * from the environment; the tenant password is handed to Redis only as its SHA-256 (`#<hash>`),
 * so it never appears on a command line.
 *
 * One ACL user per tenant: keys `~{tenant}:*`, channels `&{tenant}:*`, every command but the
 * dangerous and admin ones, and SCAN, KEYS and RANDOMKEY denied because key patterns do not
 * restrict them. `reset` first makes a run converge to exactly this state: running it twice is a
 * no-op. The `default` user is switched off. With an ACL file configured, the result is saved.
 */
export const REDIS_PROVISION_SCRIPT = `#!/bin/sh
set -eu
: "\${REDIS_HOST:?}" "\${REDIS_PORT:?}" "\${REDIS_ADMIN_USER:?}" "\${REDIS_ADMIN_PASSWORD:?}"
: "\${TENANT_REDIS_USER:?}" "\${TENANT_KEY_PREFIX:?}" "\${TENANT_REDIS_PASSWORD:?}"
export REDISCLI_AUTH="$REDIS_ADMIN_PASSWORD"
tls=""
if [ "\${REDIS_TLS:-false}" = "true" ]; then tls="--tls --cacert \${REDIS_TLS_CA_FILE:?}"; fi
cli() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --user "$REDIS_ADMIN_USER" $tls --no-auth-warning "$@"; }
hash=$(printf '%s' "$TENANT_REDIS_PASSWORD" | sha256sum | cut -d' ' -f1)
expect_ok() { out=$("$@"); [ "$out" = "OK" ] || { echo "redis: $out" >&2; exit 1; }; }
expect_ok cli ACL SETUSER "$TENANT_REDIS_USER" reset on "#$hash" \\
  "~$TENANT_KEY_PREFIX*" "&$TENANT_KEY_PREFIX*" \\
  +@all -@dangerous -@admin -scan -keys -randomkey -select
expect_ok cli ACL SETUSER default off
if [ -n "$(cli CONFIG GET aclfile | sed -n 2p)" ]; then expect_ok cli ACL SAVE; fi
`

/** The environment the script needs for one tenant, besides the two passwords and the admin user. */
export const redisVariables = (tenant: Pick<Tenant, "name">): Readonly<Record<string, string>> => ({
  TENANT_REDIS_USER: redisUserOf(tenant.name),
  TENANT_KEY_PREFIX: redisKeyPrefixOf(tenant.name),
})
