/**
 * How the shared self-hosted Redis runs: the arguments and the init step cluster/ deploys, kept
 * here so the tests start a real server exactly that way.
 *
 * The ACL file cannot be the Secret itself: a Secret volume is read-only and `ACL SAVE` writes a
 * temporary file next to the ACL file, then renames it. So an init container merges the Secret's
 * users into a copy on the data volume, which Redis then uses and rewrites:
 * - the users the Secret lists (the platform admin, `default` off) come from the Secret on every
 *   start, so rotating the admin password there takes effect at the next restart;
 * - every other user (the tenants, saved by the provisioning Job's `ACL SAVE`) is kept from the
 *   copy, so tenants survive restarts; every Argo CD sync re-runs provisioning and repairs drift.
 */
export const REDIS_ACL_INIT_SCRIPT = `#!/bin/sh
set -eu
: "\${ACL_SOURCE:?}" "\${ACL_FILE:?}"
umask 077
next="$ACL_FILE.next"
if [ -f "$ACL_FILE" ]; then
  awk 'FILENAME == ARGV[1] { if ($1 == "user") managed[$2] = 1; print; next }
       !($1 == "user" && ($2 in managed))' "$ACL_SOURCE" "$ACL_FILE" > "$next"
else
  cat "$ACL_SOURCE" > "$next"
fi
mv "$next" "$ACL_FILE"
`

export interface RedisServerSettings {
  /** The writable ACL file the init step prepares (on the data volume). */
  readonly aclFile: string
  readonly dataDir: string
  /** `maxmemory`: the bound of the whole shared instance; Redis has no per-user limit. */
  readonly maxMemoryMiB: number
  /** `maxclients`: the server-wide connection bound; Redis has no per-user limit. */
  readonly maxClients: number
}

/**
 * `redis-server` arguments. `noeviction`: once `maxmemory` is reached, writes fail for everyone
 * instead of one tenant's writes silently evicting another tenant's keys. `maxmemory-clients`
 * disconnects the clients with the largest buffers first when all clients together hold more
 * than a tenth of `maxmemory` (a slow subscriber or a huge pipelined reply). Debug, module and
 * protected-config commands stay off whatever the image's defaults become.
 */
export const redisServerArgs = (settings: RedisServerSettings): ReadonlyArray<string> => [
  "--aclfile",
  settings.aclFile,
  "--dir",
  settings.dataDir,
  "--appendonly",
  "yes",
  "--maxmemory",
  `${settings.maxMemoryMiB}mb`,
  "--maxmemory-policy",
  "noeviction",
  "--maxmemory-clients",
  "10%",
  "--maxclients",
  String(settings.maxClients),
  "--enable-debug-command",
  "no",
  "--enable-module-command",
  "no",
  "--enable-protected-configs",
  "no",
]

/** How long a script may keep the server busy (on top of `busy-reply-threshold`) before it is ended. */
export const MAX_BUSY_SCRIPT_SECONDS = 10

/**
 * A sidecar bounding the one thing Redis never bounds by itself: a Lua script or function that
 * does not return keeps its single thread busy, and every other tenant gets `BUSY`, for ever.
 * Once the server has answered `BUSY` for `MAX_SCRIPT_SECONDS`, the watchdog kills the script;
 * a script that already wrote cannot be killed (`UNKILLABLE`), so the server is shut down without
 * saving and restarted by its StatefulSet — writes before the script are in the append-only file,
 * the script's own never took effect. Tenants cannot do either (`SCRIPT`, `FUNCTION`, `SHUTDOWN`
 * are refused to them).
 */
export const REDIS_SCRIPT_WATCHDOG = `#!/bin/sh
set -u
: "\${REDIS_PORT:?}" "\${REDIS_ADMIN_USER:?}" "\${REDIS_ADMIN_PASSWORD:?}" "\${MAX_SCRIPT_SECONDS:?}"
export REDISCLI_AUTH="$REDIS_ADMIN_PASSWORD"
cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --user "$REDIS_ADMIN_USER" --no-auth-warning "$@" 2>&1; }
busy_since=""
while true; do
  case "$(cli PING)" in
    BUSY*)
      now=$(date +%s)
      busy_since="\${busy_since:-$now}"
      if [ $((now - busy_since)) -ge "$MAX_SCRIPT_SECONDS" ]; then
        killed="$(cli SCRIPT KILL) $(cli FUNCTION KILL)"
        echo "watchdog: busy for $((now - busy_since)) s: $killed"
        case "$killed" in
          *UNKILLABLE*) echo "watchdog: the script wrote; shutting down without saving"; cli SHUTDOWN NOSAVE ;;
        esac
        busy_since=""
      fi
      ;;
    *) busy_since="" ;;
  esac
  sleep 1
done
`
