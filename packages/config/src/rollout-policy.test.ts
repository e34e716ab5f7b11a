import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { PLATFORM_FILE } from "./contract.ts"
import { decodePlatform } from "./decode.ts"
import type { PlatformInput } from "./platform.ts"
import { bucketOf, planWaves, RolloutPolicy, waveIndexOf } from "./rollout-policy.ts"

const policy = Schema.decodeUnknownSync(RolloutPolicy)({
  waves: [
    { name: "canary", select: { names: ["acme"] }, soakSeconds: 600 },
    { name: "free-10", select: { tiers: ["free"], percent: 10 } },
    { name: "half", select: { percent: 50 } },
    { name: "everyone" },
  ],
})
const tenant = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  tier: "pro",
  labels: {},
  state: "active",
  ...extra,
})
const names = Array.from({ length: 1000 }, (_, index) => `tenant-${index}`)

describe("rollout waves", () => {
  it("puts a named canary in the first wave whatever its bucket", () => {
    expect(waveIndexOf(policy, tenant("acme"))).toBe(0)
  })

  it("buckets by a stable hash of the name: the same tenant always lands in the same wave", () => {
    // sha256("acme") starts 0x822b33ad: a fixed value, not one this test computes the same way.
    expect(bucketOf("acme")).toBe(0x822b33ad % 100)
    expect(names.map(bucketOf)).toEqual(names.map(bucketOf))
    expect(new Set(names.map(bucketOf)).size).toBe(100)
  })

  it("takes about the share a percent asks for, and only the tiers it names", () => {
    const half = names.filter((name) => waveIndexOf(policy, tenant(name)) === 2).length
    expect(half).toBeGreaterThan(430)
    expect(half).toBeLessThan(570)
    expect(names.some((name) => waveIndexOf(policy, tenant(name)) === 1)).toBe(false)
    const free = names.filter((name) => waveIndexOf(policy, tenant(name, { tier: "free" })) === 1).length
    expect(free).toBeGreaterThan(60)
    expect(free).toBeLessThan(140)
  })

  it("matches labels, and sends a tenant no selector takes to the last wave", () => {
    const byLabel = Schema.decodeUnknownSync(RolloutPolicy)({
      waves: [
        { name: "beta", select: { labels: { ring: "beta" } } },
        { name: "rest", select: { names: ["x"] } },
      ],
    })
    expect(waveIndexOf(byLabel, tenant("a", { labels: { ring: "beta" } }))).toBe(0)
    expect(waveIndexOf(byLabel, tenant("a", { labels: { ring: "ga" } }))).toBe(1)
  })

  it("never moves a tenant that pins its image, nor one that is suspended", () => {
    const plan = planWaves(policy, [
      tenant("acme"),
      tenant("pinned", { image: { tag: "1.0.0" } }),
      tenant("asleep", { state: "suspended" }),
    ])
    expect(plan.map((wave) => wave.tenants)).toEqual([["acme"], [], [], []])
  })

  it("defaults to one wave of everyone, so existing platform files keep today's behaviour", () => {
    const platform: PlatformInput = {
      baseDomain: "apps.example.com",
      mode: "selfhosted",
      images: {
        api: { repository: "ghcr.io/acme/api", tag: "1.0.0" },
        postgresClient: { repository: "postgres", tag: "17" },
        redisClient: { repository: "redis", tag: "8" },
      },
      postgres: { selfhosted: { host: "db", port: 1, database: "t" }, cloud: { host: "db", port: 1, database: "t" } },
      redis: { selfhosted: { host: "r", port: 1 }, cloud: { host: "r", port: 1 } },
      deploy: { repoURL: "https://git.example.com/infra.git" },
    }
    const decoded = Effect.runSync(decodePlatform(PLATFORM_FILE, platform))
    expect(decoded.rollout.waves).toEqual([
      { name: "everyone", select: {}, soakSeconds: 0, health: { timeoutSeconds: 900 } },
    ])
    const duplicate = Effect.runSync(
      Effect.result(decodePlatform(PLATFORM_FILE, { ...platform, rollout: { waves: [{ name: "a" }, { name: "a" }] } })),
    )
    expect(duplicate._tag === "Failure" && duplicate.failure.message).toContain("wave names must be unique")
  })
})
