import { spawn, spawnSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type TierName, TierSpecs } from "@ppi/config"
import { CLIENT_BUDGETS_KEY, MEMORY_BUDGETS_KEY, REDIS_PROVISION_SCRIPT, redisVariables } from "./redis-provision.ts"
import { alpineTools, type LocalRedis, startRedis } from "./testing/local-servers.ts"
import { until } from "./testing/until.ts"

/** acme and globex are enterprise (scripting allowed), hobby is free (no scripting). */
const tenants = {
  acme: { tier: "enterprise", password: "pw-acme" },
  globex: { tier: "enterprise", password: "pw-globex" },
  hobby: { tier: "free", password: "pw-hobby" },
} as const satisfies Record<string, { tier: TierName; password: string }>
type Name = keyof typeof tenants

let redis: LocalRedis
/** The provisioning Job runs the script with the alpine Redis image's busybox tools. */
const tools = alpineTools()

/** Runs the provisioning exactly as the in-cluster Job does: `sh -c <script>` with its environment. */
const provision = (name: Name) =>
  spawnSync(join(tools, "sh"), ["-c", REDIS_PROVISION_SCRIPT], {
    env: {
      PATH: tools,
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: String(redis.port),
      REDIS_ADMIN_USER: redis.admin.user,
      REDIS_ADMIN_PASSWORD: redis.admin.password,
      TENANT_REDIS_PASSWORD: tenants[name].password,
      ...redisVariables({ name, tier: tenants[name].tier }),
    },
    encoding: "utf8",
  })

const cli = (user: string, password: string, args: ReadonlyArray<string>, input?: string) => {
  const result = spawnSync(
    "redis-cli",
    ["-p", String(redis.port), "--user", user, "--pass", password, "--no-auth-warning", ...args],
    { encoding: "utf8", input },
  )
  return `${result.stdout}${result.stderr}`.trim()
}
const as =
  (name: Name) =>
  (...command: ReadonlyArray<string>) =>
    cli(`tenant-${name}`, tenants[name].password, command)
const asAcme = as("acme")
const asGlobex = as("globex")
const asHobby = as("hobby")
const asAdmin = (...command: ReadonlyArray<string>) => cli(redis.admin.user, redis.admin.password, command)
/** Whether the tenant's ACL allows a command, independently of server settings such as `enable-debug-command`. */
const dryRun = (name: Name, ...command: ReadonlyArray<string>) => asAdmin("ACL", "DRYRUN", `tenant-${name}`, ...command)

const settle = async (done: () => boolean, ms: number) => {
  for (let waited = 0; waited < ms && !done(); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50))
}

/**
 * Subscribes as acme; once Redis has answered the subscription (confirmed or refused), publishes
 * with `publish`; returns what the subscriber printed by the time `expected` shows (or 300 ms).
 */
const received = async (subscribe: ReadonlyArray<string>, publish: () => void, expected?: string): Promise<string> => {
  const subscriber = spawn(
    "redis-cli",
    [
      "-p",
      String(redis.port),
      "--user",
      "tenant-acme",
      "--pass",
      tenants.acme.password,
      "--no-auth-warning",
      ...subscribe,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  )
  let output = ""
  subscriber.stdout.on("data", (chunk) => {
    output += String(chunk)
  })
  subscriber.stderr.on("data", (chunk) => {
    output += String(chunk)
  })
  await settle(() => /^(p?subscribe|NOPERM|ERR)/m.test(output), 5000)
  publish()
  await settle(() => expected !== undefined && output.includes(expected), expected === undefined ? 300 : 5000)
  subscriber.kill("SIGKILL")
  return output
}

beforeAll(async () => {
  redis = await startRedis()
  for (const name of ["acme", "globex", "hobby"] as const) {
    const result = provision(name)
    if (result.status !== 0) throw new Error(`provisioning ${name} failed: ${result.stderr}`)
  }
  asGlobex("SET", "globex:secret", "g-only")
  asGlobex("RPUSH", "globex:list", "3", "1", "2")
  asAcme("RPUSH", "acme:list", "3", "1", "2")
}, 120_000)
afterAll(() => {
  redis?.stop()
  rmSync(tools, { recursive: true, force: true })
})

describe("Redis provisioning on a real server", () => {
  it("creates one ACL user per tenant, twice without change, and saves it to the ACL file", () => {
    for (const name of ["acme", "globex", "acme"] as const) {
      const result = provision(name)
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
    }
    const users = asAdmin("ACL", "LIST")
    expect(users.split("\n").filter((line) => line.startsWith("user tenant-acme "))).toHaveLength(1)
    const saved = readFileSync(redis.aclFile, "utf8")
    expect(saved).toContain("user tenant-acme on")
    expect(saved).not.toContain(tenants.acme.password)
    const before = asAdmin("ACL", "GETUSER", "tenant-acme")
    provision("acme")
    expect(asAdmin("ACL", "GETUSER", "tenant-acme")).toBe(before)
  })

  it("records each tenant's tier client and memory budgets for the watchdog, where no tenant can read or change them", () => {
    expect(asAdmin("HGET", MEMORY_BUDGETS_KEY, "tenant-hobby")).toBe(
      `${TierSpecs.free.redisMemoryMiB * 1024 * 1024}/hobby:`,
    )
    expect(asHobby("HSET", MEMORY_BUDGETS_KEY, "tenant-hobby", "1/hobby:")).toContain("NOPERM")
    expect(asAdmin("HGET", CLIENT_BUDGETS_KEY, "tenant-acme")).toBe(String(TierSpecs.enterprise.redisClients))
    expect(asAdmin("HGET", CLIENT_BUDGETS_KEY, "tenant-hobby")).toBe(String(TierSpecs.free.redisClients))
    expect(asHobby("HGET", CLIENT_BUDGETS_KEY, "tenant-hobby")).toContain("NOPERM")
    expect(asHobby("HSET", CLIENT_BUDGETS_KEY, "tenant-hobby", "100000")).toContain("NOPERM")
    expect(asHobby("DEL", CLIENT_BUDGETS_KEY)).toContain("NOPERM")
    expect(asAdmin("HGET", CLIENT_BUDGETS_KEY, "tenant-hobby")).toBe(String(TierSpecs.free.redisClients))
  })

  it("lets a tenant use its own keys normally: strings, hashes, TTLs, transactions, streams, blocking pops", () => {
    expect(asAcme("SET", "acme:session:1", "v", "EX", "60")).toBe("OK")
    expect(asAcme("GET", "acme:session:1")).toBe("v")
    expect(Number(asAcme("TTL", "acme:session:1"))).toBeGreaterThan(0)
    expect(asAcme("INCR", "acme:counter")).toBe("1")
    expect(asAcme("HSET", "acme:user:1", "name", "ada")).toBe("1")
    expect(asAcme("HGET", "acme:user:1", "name")).toBe("ada")
    expect(asAcme("EXPIRE", "acme:user:1", "60")).toBe("1")
    expect(asAcme("XADD", "acme:stream", "*", "k", "v")).toMatch(/^\d+-\d+$/)
    expect(asAcme("BLPOP", "acme:list", "1")).toBe("acme:list\n3")
    expect(asAcme("OBJECT", "ENCODING", "acme:counter")).toBe("int")
    expect(Number(asAcme("MEMORY", "USAGE", "acme:counter"))).toBeGreaterThan(0)
    expect(asAcme("CLIENT", "SETNAME", "api")).toBe("OK")
    expect(asAcme("CLIENT", "INFO")).toContain("user=tenant-acme")
    expect(asAcme("PING")).toBe("PONG")
    const transaction = cli(
      "tenant-acme",
      tenants.acme.password,
      [],
      "WATCH acme:counter\nMULTI\nINCR acme:counter\nSET acme:flag 1\nEXEC\n",
    )
    expect(transaction.split("\n")).toEqual(["OK", "OK", "QUEUED", "QUEUED", "2", "OK"])
  })

  it("delivers a tenant's own pub/sub messages", async () => {
    const output = await received(
      ["SUBSCRIBE", "acme:events"],
      () => expect(asAcme("PUBLISH", "acme:events", "hello")).toBe("1"),
      "hello",
    )
    expect(output).toContain("hello")
    const patterned = await received(["PSUBSCRIBE", "acme:*"], () => asAcme("PUBLISH", "acme:other", "hi"), "hi")
    expect(patterned).toContain("hi")
  })

  it("keeps acme away from globex's keys and channels", async () => {
    for (const command of [
      ["GET", "globex:secret"],
      ["SET", "globex:secret", "x"],
      ["DEL", "globex:secret"],
      ["SET", "unprefixed", "x"],
      ["OBJECT", "ENCODING", "globex:secret"],
      ["MEMORY", "USAGE", "globex:secret"],
      ["DUMP", "globex:secret"],
      ["RENAME", "globex:secret", "acme:stolen"],
      ["LMOVE", "globex:list", "acme:list", "LEFT", "LEFT"],
      ["SUNIONSTORE", "acme:set", "globex:set"],
      ["PUBLISH", "globex:events", "x"],
    ])
      expect(asAcme(...command), command.join(" ")).toContain("NOPERM")
    expect(await received(["SUBSCRIBE", "globex:events"], () => asGlobex("PUBLISH", "globex:events", "x"))).toContain(
      "NOPERM",
    )
    expect(await received(["PSUBSCRIBE", "*"], () => asGlobex("PUBLISH", "globex:events", "x"))).toContain("NOPERM")
    // Keyspace notifications name other tenants' keys: their channels are outside acme's pattern.
    for (const channel of ["__keyspace@0__:globex:secret", "__keyevent@0__:set"])
      expect(
        await received(["SUBSCRIBE", channel], () => asGlobex("SET", "globex:secret", "g-only")),
        channel,
      ).toContain("NOPERM")
    expect(asGlobex("GET", "globex:secret")).toBe("g-only")
  })

  it("confines scripts to the caller's keys and channels, declared or not", () => {
    expect(asAcme("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "acme:by-script", "ok")).toBe("OK")
    expect(asAcme("EVAL", "return redis.call('GET', 'acme:by-script')", "0")).toBe("ok")
    for (const attack of [
      ["return redis.call('GET', KEYS[1])", "1", "globex:secret"],
      ["return redis.call('GET', 'globex:secret')", "0"],
      ["return redis.call('SET', 'globex:secret', 'owned')", "0"],
      ["return redis.call('PUBLISH', 'globex:events', 'x')", "0"],
      ["return redis.call('KEYS', '*')", "0"],
      ["return redis.call('DBSIZE')", "0"],
      ["return redis.call('SCRIPT', 'FLUSH')", "0"],
      ["return redis.call('FUNCTION', 'FLUSH')", "0"],
    ]) {
      const [body = "", ...rest] = attack
      expect(asAcme("EVAL", body, ...rest), body).toMatch(/NOPERM|can't access|can't run|can't publish|not allowed/)
    }
    expect(asAdmin("GET", "globex:secret")).toBe("g-only")
  })

  it("refuses function and script-cache management, so no tenant's code can replace or flush another's", () => {
    const library =
      "#!lua name=acmelib\nredis.register_function('touch', function(keys) return redis.call('SET', keys[1], 'acme') end)"
    const globexScript = "return redis.call('GET', KEYS[1])"
    expect(asGlobex("EVAL", globexScript, "1", "globex:secret")).toBe("g-only")
    const sha = asAdmin("SCRIPT", "LOAD", globexScript)
    for (const command of [
      ["FUNCTION", "LOAD", "REPLACE", library],
      ["FUNCTION", "FLUSH"],
      ["FUNCTION", "DELETE", "globexlib"],
      ["FUNCTION", "LIST", "WITHCODE"],
      ["FUNCTION", "DUMP"],
      ["FUNCTION", "RESTORE", "x"],
      ["FUNCTION", "STATS"],
      ["FUNCTION", "KILL"],
      ["SCRIPT", "FLUSH"],
      ["SCRIPT", "LOAD", "return 1"],
      ["SCRIPT", "EXISTS", sha],
      ["SCRIPT", "KILL"],
    ])
      expect(asAcme(...command), command.join(" ")).toContain("NOPERM")
    expect(asGlobex("EVALSHA", sha, "1", "globex:secret")).toBe("g-only")
    // A function only the platform could load still runs with the caller's rights.
    expect(asAdmin("FUNCTION", "LOAD", "REPLACE", library)).toBe("acmelib")
    expect(asAcme("FCALL", "touch", "1", "globex:secret")).toContain("NOPERM")
    expect(asAcme("FCALL", "touch", "1", "acme:touched")).toBe("OK")
    expect(asAdmin("GET", "globex:secret")).toBe("g-only")
    asAdmin("FUNCTION", "DELETE", "acmelib")
  })

  it("lets an endless script block everyone until the platform kills it (the residual of tiers with Lua)", async () => {
    expect(asAdmin("CONFIG", "SET", "busy-reply-threshold", "200")).toBe("OK")
    const looping = spawn(
      "redis-cli",
      ["-p", String(redis.port), "--user", "tenant-acme", "--pass", tenants.acme.password, "--no-auth-warning"],
      { stdio: ["pipe", "ignore", "ignore"] },
    )
    looping.stdin.end('EVAL "while true do end" 0\n')
    try {
      await until(() => asGlobex("GET", "globex:secret").startsWith("BUSY"), "Redis answers BUSY", 50)
      expect(asAcme("SCRIPT", "KILL")).toContain("NOPERM")
    } finally {
      asAdmin("SCRIPT", "KILL")
      asAdmin("CONFIG", "SET", "busy-reply-threshold", "5000")
      looping.kill("SIGKILL")
    }
    expect(asGlobex("GET", "globex:secret")).toBe("g-only")
  })

  it("refuses Lua entirely to the tiers without scripting", () => {
    for (const command of [
      ["EVAL", "return 1", "0"],
      ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"],
      ["EVAL_RO", "return 1", "0"],
      ["FCALL", "touch", "0"],
    ])
      expect(asHobby(...command), command.join(" ")).toContain("NOPERM")
    expect(asHobby("SET", "hobby:k", "v")).toBe("OK")
  })

  it("refuses everything that describes or changes shared server state", () => {
    for (const command of [
      ["CLIENT", "TRACKING", "ON", "BCAST"],
      ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "globex:"],
      ["CLIENT", "TRACKING", "ON"],
      ["CLIENT", "CACHING", "YES"],
      ["CLIENT", "LIST"],
      ["CLIENT", "KILL", "ID", "1"],
      ["CLIENT", "NO-EVICT", "ON"],
      ["CLIENT", "PAUSE", "1000"],
      ["PUBSUB", "CHANNELS", "*"],
      ["PUBSUB", "NUMSUB", "globex:events"],
      ["PUBSUB", "NUMPAT"],
      ["PUBSUB", "SHARDCHANNELS"],
      ["DBSIZE"],
      ["MEMORY", "STATS"],
      ["MEMORY", "DOCTOR"],
      ["MEMORY", "MALLOC-STATS"],
      ["MEMORY", "PURGE"],
      ["INFO"],
      ["INFO", "keyspace"],
      ["INFO", "clients"],
      ["KEYS", "*"],
      ["SCAN", "0"],
      ["RANDOMKEY"],
      ["SORT", "acme:list"],
      ["SORT", "acme:list", "BY", "globex:*"],
      ["SORT_RO", "acme:list", "GET", "globex:*"],
      ["MIGRATE", "127.0.0.1", "1", "acme:list", "0", "1000"],
      ["SELECT", "1"],
      ["MOVE", "acme:list", "1"],
      ["COPY", "acme:list", "acme:copy", "DB", "1"],
      ["SWAPDB", "0", "1"],
      ["WAIT", "0", "0"],
      ["FLUSHALL"],
      ["FLUSHDB"],
      ["CONFIG", "GET", "*"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["ACL", "LIST"],
      ["ACL", "WHOAMI"],
      ["SLOWLOG", "GET"],
      ["LATENCY", "LATEST"],
      ["LASTSAVE"],
      ["SAVE"],
      ["BGSAVE"],
      ["MONITOR"],
      ["SHUTDOWN"],
      ["REPLICAOF", "127.0.0.1", "1"],
      ["MODULE", "LIST"],
      ["OBJECT", "FREQ", "globex:secret"],
    ])
      expect(asAcme(...command), command.join(" ")).toContain("NOPERM")
    // DEBUG is also off server-wide (enable-debug-command); the tenant's ACL must refuse it on its own.
    expect(dryRun("acme", "DEBUG", "SLEEP", "0")).toMatch(/no permissions to run the 'debug' command/)
    expect(dryRun("acme", "DEBUG", "OBJECT", "acme:list")).toMatch(/no permissions/)
  })

  /** Commands whose keys follow a keyword, so a uniform filler never names one. */
  const keywordKeyed: Readonly<Record<string, ReadonlyArray<string>>> = {
    xread: ["XREAD", "STREAMS", "globex:x", "0"],
    xreadgroup: ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "globex:x", ">"],
  }

  it("grants no key-less command beyond the reviewed ones, and every keyed command refuses a foreign key", () => {
    // Every command and subcommand this server has, with its arity and key specifications.
    const table = JSON.parse(asAdmin("--json", "COMMAND", "INFO")) as ReadonlyArray<ReadonlyArray<unknown>>
    const entries = table.flatMap((entry) => {
      const subcommands = (entry[9] ?? []) as ReadonlyArray<ReadonlyArray<unknown>>
      return subcommands.length > 0 ? subcommands : [entry]
    })
    // Exactly the arity, or a few more arguments than the minimum for variadic commands (negative arity).
    const withArgs = (name: string, arity: number, filler: string) => {
      const words = name.split("|")
      const length = arity < 0 ? -arity + 3 : arity
      return [...words, ...Array(Math.max(0, length - words.length)).fill(filler)]
    }
    const lines = (filler: string) =>
      entries
        .map(([name, arity]) => withArgs(String(name), Number(arity), filler))
        .map((words) => ["ACL", "DRYRUN", "tenant-acme", ...words].map((word) => JSON.stringify(word)).join(" "))
        .join("\n")
    const own = cli(redis.admin.user, redis.admin.password, [], `${lines("acme:x")}\n`).split("\n")
    // A foreign key name in every position, then "1" everywhere (a key named "1" is foreign too, and
    // "1" makes a numkeys argument count one key, as in BLMPOP or ZUNION).
    const foreign = cli(redis.admin.user, redis.admin.password, [], `${lines("globex:x")}\n`).split("\n")
    const counted = cli(redis.admin.user, redis.admin.password, [], `${lines("1")}\n`).split("\n")
    expect(own).toHaveLength(entries.length)
    const allowedKeyless: Array<string> = []
    const keyedAllowed: Array<string> = []
    const unreached: Array<string> = []
    entries.forEach(([name, , , firstKey, , , , , keySpecs], i) => {
      if (own[i] !== "OK") return
      const keyed = Number(firstKey) > 0 || (keySpecs as ReadonlyArray<unknown>).length > 0
      if (!keyed) allowedKeyless.push(String(name))
      else {
        keyedAllowed.push(String(name))
        const refused = /no permissions to access the '.*' (key|channel)/
        if (refused.test(foreign[i] ?? "") || refused.test(counted[i] ?? "")) return
        // Leaving a shard channel touches only the caller's own subscriptions; Redis does not check it.
        if (name === "sunsubscribe") return
        const explicit = keywordKeyed[String(name)]
        if (explicit === undefined) unreached.push(String(name))
        else expect(dryRun("acme", ...explicit), String(name)).toMatch(refused)
      }
    })
    expect(unreached, "keyed commands whose keys no filler reached: add them to keywordKeyed").toEqual([])
    expect(keyedAllowed.length).toBeGreaterThan(150)
    expect(allowedKeyless.sort()).toEqual(
      [
        "auth",
        "client|getname",
        "client|id",
        "client|info",
        "client|reply",
        "client|setname",
        "command|count",
        "command|docs",
        "command|getkeys",
        "command|getkeysandflags",
        "command|help",
        "command|info",
        "command|list",
        "discard",
        "echo",
        "exec",
        "hello",
        "lolwut",
        "multi",
        "object|help",
        "ping",
        "publish",
        "punsubscribe",
        "quit",
        "reset",
        "subscribe",
        "time",
        "unsubscribe",
        "unwatch",
        "xgroup|help",
        "xinfo|help",
      ].sort(),
    )
  })

  it("switches the default user off", () => {
    const anonymous = spawnSync("redis-cli", ["-p", String(redis.port), "GET", "acme:session:1"], { encoding: "utf8" })
    expect(anonymous.stdout + anonymous.stderr).toMatch(/NOAUTH|NOPERM|WRONGPASS|disabled/i)
    expect(asAdmin("ACL", "GETUSER", "default")).toContain("off")
  })

  it("refuses a wrong password", () => {
    expect(cli("tenant-acme", "guess", ["PING"])).toMatch(/WRONGPASS/)
  })
})
