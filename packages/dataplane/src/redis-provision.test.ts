import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { REDIS_PROVISION_SCRIPT, redisVariables } from "./redis-provision.ts"
import { type LocalRedis, startRedis } from "./testing/local-servers.ts"

let redis: LocalRedis
const passwords = { alpha: "pw-alpha", bravo: "pw-bravo" }

/** Runs the provisioning exactly as the in-cluster Job does: `sh -c <script>` with its environment. */
const provision = (tenant: "alpha" | "bravo") =>
  spawnSync("sh", ["-c", REDIS_PROVISION_SCRIPT], {
    env: {
      PATH: process.env.PATH,
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: String(redis.port),
      REDIS_ADMIN_USER: redis.admin.user,
      REDIS_ADMIN_PASSWORD: redis.admin.password,
      TENANT_REDIS_PASSWORD: passwords[tenant],
      ...redisVariables({ name: tenant }),
    },
    encoding: "utf8",
  })

const as = (user: string, password: string, ...command: ReadonlyArray<string>) => {
  const result = spawnSync(
    "redis-cli",
    ["-p", String(redis.port), "--user", user, "--pass", password, "--no-auth-warning", ...command],
    {
      encoding: "utf8",
    },
  )
  return `${result.stdout}${result.stderr}`.trim()
}
const asAlpha = (...command: ReadonlyArray<string>) => as("tenant-alpha", passwords.alpha, ...command)
const asBravo = (...command: ReadonlyArray<string>) => as("tenant-bravo", passwords.bravo, ...command)
const asAdmin = (...command: ReadonlyArray<string>) => as(redis.admin.user, redis.admin.password, ...command)

beforeAll(async () => {
  redis = await startRedis()
}, 120_000)
afterAll(() => redis?.stop())

describe("Redis provisioning on a real server", () => {
  it("creates one ACL user per tenant, twice without change, and saves it to the ACL file", () => {
    for (const tenant of ["alpha", "bravo", "alpha", "bravo"] as const) {
      const result = provision(tenant)
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
    }
    const users = asAdmin("ACL", "LIST")
    expect(users.split("\n").filter((line) => line.startsWith("user tenant-alpha "))).toHaveLength(1)
    const saved = readFileSync(redis.aclFile, "utf8")
    expect(saved).toContain("user tenant-alpha on")
    expect(saved).not.toContain(passwords.alpha)
    const before = asAdmin("ACL", "GETUSER", "tenant-alpha")
    provision("alpha")
    expect(asAdmin("ACL", "GETUSER", "tenant-alpha")).toBe(before)
  })

  it("lets a tenant use its own prefix for keys and channels", () => {
    expect(asAlpha("SET", "alpha:session:1", "v")).toBe("OK")
    expect(asAlpha("GET", "alpha:session:1")).toBe("v")
    expect(asAlpha("INCR", "alpha:counter")).toBe("1")
    expect(asAlpha("PUBLISH", "alpha:events", "hello")).toBe("0")
  })

  it("keeps tenant A away from tenant B's keys and channels", () => {
    expect(asBravo("SET", "bravo:secret", "b-only")).toBe("OK")
    expect(asAlpha("GET", "bravo:secret")).toContain("NOPERM")
    expect(asAlpha("SET", "bravo:secret", "x")).toContain("NOPERM")
    expect(asAlpha("DEL", "bravo:secret")).toContain("NOPERM")
    expect(asAlpha("SET", "unprefixed", "x")).toContain("NOPERM")
    expect(asAlpha("PUBLISH", "bravo:events", "x")).toContain("NOPERM")
    expect(asBravo("GET", "bravo:secret")).toBe("b-only")
  })

  it("denies commands that reach beyond the prefix or the tenant", () => {
    for (const command of [
      ["FLUSHALL"],
      ["FLUSHDB"],
      ["SCAN", "0"],
      ["KEYS", "*"],
      ["RANDOMKEY"],
      ["CONFIG", "GET", "*"],
      ["ACL", "LIST"],
      ["SELECT", "1"],
      ["SHUTDOWN"],
      ["MONITOR"],
      ["CLIENT", "KILL", "ID", "1"],
    ])
      expect(asAlpha(...command), command.join(" ")).toContain("NOPERM")
  })

  it("switches the default user off", () => {
    const anonymous = spawnSync("redis-cli", ["-p", String(redis.port), "GET", "alpha:session:1"], { encoding: "utf8" })
    expect(anonymous.stdout + anonymous.stderr).toMatch(/NOAUTH|NOPERM|WRONGPASS|disabled/i)
    expect(asAdmin("ACL", "GETUSER", "default")).toContain("off")
  })

  it("refuses a wrong password", () => {
    expect(as("tenant-alpha", "guess", "PING")).toMatch(/WRONGPASS/)
  })
})
