import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { PLATFORM_FILE } from "./contract.ts"
import { decodePlatform, decodeTenant } from "./decode.ts"
import { imageRef, type PlatformInput } from "./platform.ts"
import { apiImageFor, parseImageRef, type RolloutState, rolloutOnPublish } from "./rollout-state.ts"

const v1 = { repository: "ghcr.io/acme/api", tag: "1.0.0" }
const v2 = { repository: "ghcr.io/acme/api", tag: "2.0.0" }
const platform = Effect.runSync(
  decodePlatform(PLATFORM_FILE, {
    baseDomain: "apps.example.com",
    mode: "selfhosted",
    images: {
      api: v2,
      postgresClient: { repository: "postgres", tag: "17" },
      redisClient: { repository: "redis", tag: "8" },
    },
    postgres: { selfhosted: { host: "db", port: 1, database: "t" }, cloud: { host: "db", port: 1, database: "t" } },
    redis: { selfhosted: { host: "r", port: 1 }, cloud: { host: "r", port: 1 } },
    deploy: { repoURL: "https://git.example.com/infra.git" },
    rollout: { waves: [{ name: "canary", select: { names: ["acme"] } }, { name: "everyone" }] },
  } satisfies PlatformInput),
)
const tenant = (input: Record<string, unknown>) => Effect.runSync(decodeTenant("tenants/x.ts", input))
const acme = tenant({ name: "acme", tier: "pro" })
const globex = tenant({ name: "globex", tier: "pro" })
const now = new Date("2026-01-01T00:00:00Z")
const rolling: RolloutState = { from: v1, to: v2, wave: 0, since: now.toISOString(), status: "rolling" }

describe("rollout state", () => {
  it("gives the new version to the waves reached and the old one to the rest", () => {
    expect(apiImageFor(acme, platform, rolling)).toEqual(v2)
    expect(apiImageFor(globex, platform, rolling)).toEqual(v1)
    expect(apiImageFor(globex, platform, { ...rolling, wave: 1 })).toEqual(v2)
    expect(apiImageFor(acme, platform, { ...rolling, status: "rolled-back" })).toEqual(v1)
    expect(apiImageFor(globex, platform, { ...rolling, status: "done" })).toEqual(v2)
    expect(apiImageFor(globex, platform)).toEqual(v2)
  })

  it("leaves a pinned tenant on its pin, and a suspended one on the old version until done", () => {
    expect(apiImageFor(tenant({ name: "acme", tier: "pro", image: { tag: "0.9.0" } }), platform, rolling).tag).toBe(
      "0.9.0",
    )
    expect(apiImageFor(tenant({ name: "acme", tier: "pro", state: "suspended" }), platform, rolling)).toEqual(v1)
  })

  it("starts a rollout at wave 0 when main's version differs from what is deployed, and only then", () => {
    const done: RolloutState = { from: v1, to: v1, wave: 1, since: "2025-01-01T00:00:00.000Z", status: "done" }
    expect(rolloutOnPublish(done, v2, platform, now)).toEqual(rolling)
    expect(rolloutOnPublish(rolling, v2, platform, now)).toBe(rolling)
    expect(rolloutOnPublish(undefined, v2, platform, now)).toMatchObject({
      from: v2,
      to: v2,
      status: "done",
      since: "1970-01-01T00:00:00.000Z",
    })
    const v3 = { ...v2, tag: "3.0.0" }
    // Reverting main to the old version ends the rollout: everyone runs it again.
    expect(rolloutOnPublish({ ...rolling, status: "rolled-back" }, v1, platform, now)).toMatchObject({
      from: v1,
      to: v1,
      status: "done",
    })
    // Superseding a rollout in progress starts over from the version the whole fleet last ran.
    expect(rolloutOnPublish({ ...rolling, wave: 1 }, v3, platform, now)).toMatchObject({ from: v1, to: v3, wave: 0 })
  })

  it("reads back the image reference a Deployment carries", () => {
    const digest = `sha256:${"a".repeat(64)}`
    expect(parseImageRef(imageRef({ ...v1, digest }))).toEqual({ ...v1, digest })
    expect(parseImageRef("registry:5000/api:1.0.0")).toEqual({ repository: "registry:5000/api", tag: "1.0.0" })
    expect(parseImageRef("registry:5000/api")).toBeUndefined()
  })
})
