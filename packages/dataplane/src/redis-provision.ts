import { redisKeyPrefixOf, redisUserOf, type Tenant, TierSpecs } from "@ppi/config"

/**
 * The ACL categories this script was written and tested against (Redis 7.0's set). Any other
 * category the server reports is refused outright: Redis 8 folds its query engine (`FT.*`, whose
 * indexes span every tenant's keys), JSON, time series and probabilistic commands into `@read`
 * and `@write`, and a command nobody reviewed must not reach a tenant.
 */
const KNOWN_REDIS_CATEGORIES = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
] as const

/**
 * The hash where provisioning records each tenant user's client budget (field: the ACL user,
 * value: its tier's `redisClients`) for the watchdog beside the server (`redis-server.ts`). A
 * tenant cannot read or change it: tenant names are DNS labels, so no tenant's `~<name>:*`
 * pattern matches a key starting with `_`.
 */
export const CLIENT_BUDGETS_KEY = "_ppi:client-budgets"

/**
 * The same for memory: field the ACL user, value `<bytes>/<key prefix>` (the tier's
 * `redisMemoryMiB`), out of every tenant's reach for the same reason.
 */
export const MEMORY_BUDGETS_KEY = "_ppi:memory-budgets"

/**
 * The exact script the in-cluster provisioning Job runs with `redis-cli` (POSIX sh, as in the
 * alpine Redis image), identical for every tenant. The tenant's values and both passwords come
 * from the environment; the tenant password is handed to Redis only as its SHA-256 (`#<hash>`),
 * so it never appears on a command line.
 *
 * One ACL user per tenant, built as an allowlist: keys `~{tenant}:*`, channels `&{tenant}:*`, the
 * data-type, keyspace, pub/sub, transaction and blocking categories, a few connection commands,
 * then everything that reaches past the tenant's keys taken away again — server-wide state
 * (`DBSIZE`, `INFO`, `MEMORY STATS`, `PUBSUB` introspection, `KEYS`/`SCAN`/`RANDOMKEY`), other
 * databases (`SELECT`, `MOVE`, `COPY … DB`, `SWAPDB`), the shared script cache and function
 * libraries (`SCRIPT`, `FUNCTION`), `CLIENT TRACKING` (broadcast mode reports every key name),
 * `SORT` (its `BY`/`GET` read other keys), `MIGRATE`, `DEBUG`, `WAIT` and every `@dangerous` or
 * `@admin` command, plus any category unknown to this script. Tiers with scripting get `EVAL`,
 * `EVALSHA`, `FCALL` and their read-only forms, which Redis checks against the same key patterns.
 * `reset` first makes a run converge to exactly this state: running it twice is a no-op. The
 * `default` user is switched off. The tier's client and memory budgets go into
 * `CLIENT_BUDGETS_KEY` and `MEMORY_BUDGETS_KEY`, where the watchdog enforces them. With an ACL file configured, the result is saved.
 */
export const REDIS_PROVISION_SCRIPT = `#!/bin/sh
set -eu
: "\${REDIS_HOST:?}" "\${REDIS_PORT:?}" "\${REDIS_ADMIN_USER:?}" "\${REDIS_ADMIN_PASSWORD:?}"
: "\${TENANT_REDIS_USER:?}" "\${TENANT_KEY_PREFIX:?}" "\${TENANT_REDIS_PASSWORD:?}" "\${TENANT_REDIS_SCRIPTING:?}"
: "\${TENANT_REDIS_CLIENTS:?}" "\${TENANT_REDIS_MEMORY_BYTES:?}"
export REDISCLI_AUTH="$REDIS_ADMIN_PASSWORD"
tls=""
if [ "\${REDIS_TLS:-false}" = "true" ]; then tls="--tls --cacert \${REDIS_TLS_CA_FILE:?}"; fi
cli() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --user "$REDIS_ADMIN_USER" $tls --no-auth-warning "$@"; }
hash=$(printf '%s' "$TENANT_REDIS_PASSWORD" | sha256sum | cut -d' ' -f1)
expect_ok() { out=$("$@"); [ "$out" = "OK" ] || { echo "redis: $out" >&2; exit 1; }; }

categories=$(cli ACL CAT) || { echo "redis: $categories" >&2; exit 1; }
unknown=""
for category in $categories; do
  case "$category" in
    ${KNOWN_REDIS_CATEGORIES.join("|")}) ;;
    *) unknown="$unknown -@$category" ;;
  esac
done
# Connection housekeeping clients send on connect, present from Redis 7.2 on.
newer=""
for command in "client|setinfo" "client|no-touch"; do
  if [ -n "$(cli COMMAND INFO "$command")" ]; then newer="$newer +$command"; fi
done
scripting=""
if [ "$TENANT_REDIS_SCRIPTING" = "true" ]; then scripting="+eval +evalsha +eval_ro +evalsha_ro +fcall +fcall_ro"; fi

expect_ok cli ACL SETUSER "$TENANT_REDIS_USER" reset on "#$hash" \\
  "~$TENANT_KEY_PREFIX*" "&$TENANT_KEY_PREFIX*" \\
  -@all +@keyspace +@read +@write +@string +@bitmap +@hyperloglog +@geo +@list +@hash +@set +@sortedset \\
  +@stream +@pubsub +@transaction +@blocking \\
  +ping +echo +hello +auth +quit +reset +time +command \\
  -@dangerous -@admin -@scripting $unknown \\
  -dbsize -keys -scan -randomkey -info -memory -pubsub -select -move -copy -swapdb -wait \\
  -sort -sort_ro -migrate -debug -flushall -flushdb -client \\
  "+client|setname" "+client|getname" "+client|id" "+client|info" "+client|reply" $newer "+memory|usage" \\
  $scripting
expect_ok cli ACL SETUSER default off
budget=$(cli HSET ${CLIENT_BUDGETS_KEY} "$TENANT_REDIS_USER" "$TENANT_REDIS_CLIENTS")
case "$budget" in 0|1) ;; *) echo "redis: $budget" >&2; exit 1 ;; esac
budget=$(cli HSET ${MEMORY_BUDGETS_KEY} "$TENANT_REDIS_USER" "$TENANT_REDIS_MEMORY_BYTES/$TENANT_KEY_PREFIX")
case "$budget" in 0|1) ;; *) echo "redis: $budget" >&2; exit 1 ;; esac
if [ -n "$(cli CONFIG GET aclfile | sed -n 2p)" ]; then expect_ok cli ACL SAVE; fi
`

/** The environment the script needs for one tenant, besides the two passwords and the admin user. */
export const redisVariables = (tenant: Pick<Tenant, "name" | "tier">): Readonly<Record<string, string>> => ({
  TENANT_REDIS_USER: redisUserOf(tenant.name),
  TENANT_KEY_PREFIX: redisKeyPrefixOf(tenant.name),
  TENANT_REDIS_SCRIPTING: String(TierSpecs[tenant.tier].redisScripting),
  TENANT_REDIS_CLIENTS: String(TierSpecs[tenant.tier].redisClients),
  TENANT_REDIS_MEMORY_BYTES: String(TierSpecs[tenant.tier].redisMemoryMiB * 1024 * 1024),
})
