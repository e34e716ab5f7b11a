import { redisUserOf, TierSpecs, Tiers } from "@ppi/config"
import { CLIENT_BUDGETS_KEY, MEMORY_BUDGETS_KEY } from "./redis-provision.ts"

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

/** Tenant users without a recorded budget (provisioned before budgets existed) get the largest tier's. */
const FALLBACK_CLIENT_BUDGET = Math.max(...Tiers.map((tier) => TierSpecs[tier].redisClients))

/** Every how many polls the watchdog measures each tenant's memory (it walks every key). */
export const MEMORY_CHECK_EVERY_POLLS = 10

/**
 * One batch of a tenant's memory measure, run by the admin: up to 1000 keys of `SCAN` under the
 * prefix, their `MEMORY USAGE` summed. Returns the next cursor and the sum. Short, so the
 * single thread is held for one batch at a time.
 */
const MEMORY_BATCH_LUA =
  "local r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 1000) local s = 0 for _, k in ipairs(r[2]) do s = s + (redis.call('MEMORY', 'USAGE', k) or 0) end return {r[1], s}"

/** What a tenant over its memory budget may still do to its keys: read them (root), free them. */
const OVER_BUDGET_SELECTOR = "-@all +del +unlink +expire +pexpire +expireat +pexpireat"

/** How long a connection may stay unauthenticated (seconds, as `CLIENT LIST` counts `age`). */
export const UNAUTHENTICATED_GRACE_SECONDS = 2

/**
 * A sidecar bounding what Redis never bounds by itself, polling once a second as the admin:
 *
 * - **Endless scripts.** A Lua script or function that does not return keeps the single thread
 *   busy, and every other tenant gets `BUSY`, for ever. Once the server has answered `BUSY` for
 *   `MAX_SCRIPT_SECONDS`, the watchdog kills the script; a script that already wrote cannot be
 *   killed (`UNKILLABLE`), so the server is shut down without saving and restarted by its
 *   StatefulSet — writes before the script are in the append-only file, the script's own never
 *   took effect.
 * - **Memory per tenant.** Redis has no per-user memory limit either. Every
 *   `MEMORY_CHECK_EVERY_POLLS` polls it sums `MEMORY USAGE` over the tenant's keys (`SCAN` under
 *   its prefix, in batches) and, above the budget provisioning recorded in `MEMORY_BUDGETS_KEY`,
 *   makes the tenant's keys read-only (`%R~<prefix>*`) with a selector that still lets it delete
 *   and expire them; once back under, its normal key pattern returns. Provisioning's `reset` lifts
 *   the limit too; the next check puts it back while the tenant is over.
 * - **Connections per tenant.** Redis has no per-user connection limit, only `maxclients` for
 *   everyone. Each poll counts `CLIENT LIST` per tenant user and closes (`CLIENT KILL ID`) the
 *   newest connections beyond the budget provisioning recorded in `CLIENT_BUDGETS_KEY` (the
 *   tier's `redisClients`), keeping the oldest, so a tenant's pool settles at its budget.
 *   Connections that never authenticate (user `default`, which is off) count against nobody's
 *   budget, so they are closed once older than `UNAUTHENTICATED_GRACE_SECONDS`.
 *
 * Tenants can do none of this themselves (`SCRIPT`, `FUNCTION`, `CLIENT KILL`, `SHUTDOWN` are
 * refused to them). Between two polls a tenant can still open connections up to `maxclients`:
 * the window in which others' new connections may be refused is one poll (plus the grace for
 * unauthenticated ones); connections already open are never affected.
 */
export const REDIS_WATCHDOG = `#!/bin/sh
set -u
: "\${REDIS_PORT:?}" "\${REDIS_ADMIN_USER:?}" "\${REDIS_ADMIN_PASSWORD:?}" "\${MAX_SCRIPT_SECONDS:?}"
export REDISCLI_AUTH="$REDIS_ADMIN_PASSWORD"
# One connection, kept open: Redis keeps no connection in reserve for an admin, so a fresh one
# per poll would be refused exactly when a tenant has taken them all. redis-cli reads commands
# from one FIFO and writes replies to another. A lost connection (a restart) is opened again.
trap '' PIPE
fifos=$(mktemp -d)
session=""
open_session() {
  if [ -n "$session" ]; then kill "$session" 2>/dev/null; exec 3>&- 4<&-; fi
  rm -f "$fifos/in" "$fifos/out"
  mkfifo "$fifos/in" "$fifos/out"
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --user "$REDIS_ADMIN_USER" --no-auth-warning <"$fifos/in" >"$fifos/out" 2>&1 &
  session=$!
  exec 3>"$fifos/in" 4<"$fifos/out"
}
connect() {
  open_session
  until reply=$(ask PING) && case "$reply" in PONG | BUSY*) true ;; *) false ;; esac; do
    echo "watchdog: cannot connect ($reply); trying again"
    sleep 1
    open_session
  done
  echo "watchdog: connected"
}
failed() { case "$1" in "Could not connect"* | "Error: "* | "AUTH failed"*) true ;; *) false ;; esac; }
# The next line that is not empty: redis-cli ends an error reply with an empty line.
next_line() {
  while IFS= read -r line <&4; do [ -n "$line" ] && return 0; done
  return 1
}
# A command with a one-line reply (PING, SCRIPT KILL, …); works while a script keeps the server
# busy. Fails when the connection is gone.
ask() {
  printf '%s\\n' "$*" >&3 || return 1
  next_line || return 1
  printf '%s\\n' "$line"
  ! failed "$line"
}
# A command with a reply of many lines (CLIENT LIST, HGETALL of the budgets: never a line "OK"),
# ended by the OK of an UNWATCH sent after it: UNWATCH is answered even while a script keeps
# the server busy, when the command itself gets BUSY (and then fails here).
ask_lines() {
  printf '%s\\nUNWATCH\\n' "$*" >&3 || return 1
  refused=0
  while IFS= read -r line <&4; do
    case "$line" in
      OK) return "$refused" ;;
      "") ;;
      BUSY*) refused=1 ;;
      *)
        if failed "$line"; then return 1; fi
        printf '%s\\n' "$line"
        ;;
    esac
  done
  return 1
}

# Prints "<id> <user> <budget>" for every connection to close: the newest beyond a tenant user's
# budget, and every unauthenticated one past the grace.
over_budget() {
  budgets=$(ask_lines HGETALL ${CLIENT_BUDGETS_KEY} | awk 'NR % 2 { field = $0; next } { printf "%s=%s ", field, $0 }')
  ask_lines CLIENT LIST | awk '{
      user = ""; id = ""; age = ""
      for (i = 1; i <= NF; i++) {
        eq = index($i, "="); key = substr($i, 1, eq - 1); value = substr($i, eq + 1)
        if (key == "user") user = value; else if (key == "id") id = value; else if (key == "age") age = value
      }
      if (user != "" && id ~ /^[0-9]+$/) print user, id, age
    }' | sort -k1,1 -k2,2n | awk -v budgets="$budgets" -v fallback=${FALLBACK_CLIENT_BUDGET} \\
      -v prefix=${redisUserOf("")} -v grace=${UNAUTHENTICATED_GRACE_SECONDS} '
    BEGIN {
      n = split(budgets, pairs, " ")
      for (i = 1; i <= n; i++) { eq = index(pairs[i], "="); budget[substr(pairs[i], 1, eq - 1)] = substr(pairs[i], eq + 1) + 0 }
    }
    $1 == "default" { if ($3 + 0 >= grace) print $2, $1, 0; next }
    index($1, prefix) == 1 {
      limit = ($1 in budget) ? budget[$1] : fallback
      if (++open[$1] > limit) print $2, $1, limit
    }'
}

# Sums MEMORY USAGE over the keys under a prefix; fails if the server stops answering.
memory_of() {
  used=0 cursor=0
  while :; do
    reply=$(ask_lines EVAL "\\"${MEMORY_BATCH_LUA}\\"" 0 "$cursor" "$1*") || return 1
    cursor=$(printf '%s\\n' "$reply" | sed -n 1p)
    used=$((used + $(printf '%s\\n' "$reply" | sed -n 2p)))
    [ "$cursor" = 0 ] && break
  done
  echo "$used"
}
# Makes an over-budget tenant's keys read-only (deletes and expiries still work), and lifts it
# once the tenant is back under.
check_memory() {
  for entry in $(ask_lines HGETALL ${MEMORY_BUDGETS_KEY} | awk 'NR % 2 { field = $0; next } { print field "/" $0 }'); do
    user=\${entry%%/*} rest=\${entry#*/}
    budget=\${rest%%/*} prefix=\${rest#*/}
    # A user an operator deleted stays deleted (ACL SETUSER would create it again).
    rules=$(ask_lines ACL GETUSER "$user") || return
    [ -n "$rules" ] || continue
    limited=$(printf '%s\\n' "$rules" | awk '/^%R~/ { n++ } END { print n + 0 }')
    used=$(memory_of "$prefix") || return
    if [ "$used" -gt "$budget" ] && [ "$limited" = 0 ]; then
      ask ACL SETUSER "$user" resetkeys "%R~$prefix*" "\\"(~$prefix* ${OVER_BUDGET_SELECTOR})\\"" >/dev/null &&
        echo "watchdog: $user over its memory budget ($used > $budget bytes): keys read-only"
    elif [ "$used" -le "$budget" ] && [ "$limited" != 0 ]; then
      ask ACL SETUSER "$user" resetkeys "~$prefix*" clearselectors >/dev/null &&
        echo "watchdog: $user back under its memory budget ($used <= $budget bytes)"
    fi
  done
}

busy_since=""
polls=0
connect
while true; do
  reply=$(ask PING) || { echo "watchdog: lost the connection ($reply)"; connect; continue; }
  case "$reply" in
    BUSY*)
      now=$(date +%s)
      busy_since="\${busy_since:-$now}"
      if [ $((now - busy_since)) -ge "$MAX_SCRIPT_SECONDS" ]; then
        killed="$(ask SCRIPT KILL) $(ask FUNCTION KILL)"
        echo "watchdog: busy for $((now - busy_since)) s: $killed"
        case "$killed" in
          *UNKILLABLE*) echo "watchdog: the script wrote; shutting down without saving"; ask SHUTDOWN NOSAVE ;;
        esac
        busy_since=""
      fi
      ;;
    PONG)
      busy_since=""
      polls=$((polls + 1))
      if [ $((polls % \${MEMORY_CHECK_EVERY:-${MEMORY_CHECK_EVERY_POLLS}})) = 0 ]; then check_memory; fi
      for kill in $(over_budget | awk '{ print $1 ":" $2 ":" $3 }'); do
        id=\${kill%%:*} rest=\${kill#*:}
        ask CLIENT KILL ID "$id" >/dev/null
        echo "watchdog: closed connection $id of \${rest%:*} (budget \${rest#*:})"
      done
      ;;
    *) busy_since="" ;;
  esac
  sleep 1
done
`
