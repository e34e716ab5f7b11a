import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { decodeTenant } from "./decode.ts"
import type { TenantInput } from "./tenant.ts"
import { TierSpecs } from "./tiers.ts"

const decode = (input: unknown) => decodeTenant("tenants/t.ts", input)
/** The decode's issues, as field and message; fails the test when the input decodes. */
const issuesOf = (input: unknown) =>
  decode(input).pipe(
    Effect.flip,
    Effect.map((error) => error.issues.map(({ path, message }) => ({ path, message }))),
  )

describe("Tenant", () => {
  it.effect("accepts the minimal tenant and applies the tier's defaults", () =>
    Effect.gen(function* () {
      const minimal = { name: "acme", tier: "pro" } satisfies TenantInput
      expect(yield* decode(minimal)).toEqual({
        name: "acme",
        tier: "pro",
        hostnames: [],
        replicas: TierSpecs.pro.replicas.default,
        resources: { cpuMillis: TierSpecs.pro.cpuMillis.default, memoryMiB: TierSpecs.pro.memoryMiB.default },
        env: {},
        features: {},
        labels: {},
        state: "active",
      })
    }),
  )

  it.effect.each(["default", "kube-system", "kube-anything", "argocd", "cert-manager", "traefik"])(
    "rejects the reserved name %s",
    (name) =>
      Effect.gen(function* () {
        expect(yield* issuesOf({ name, tier: "free" })).toEqual([
          { path: "name", message: expect.stringContaining("reserved") },
        ])
      }),
  )

  it.effect("rejects a name that is not a DNS label or longer than 40 characters", () =>
    Effect.gen(function* () {
      expect((yield* issuesOf({ name: "Acme_Corp", tier: "free" }))[0]?.path).toBe("name")
      expect(yield* issuesOf({ name: "a".repeat(41), tier: "free" })).toEqual([
        { path: "name", message: "must be at most 40 characters" },
      ])
    }),
  )

  it.effect("names an unknown or missing tier", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf({ name: "acme", tier: "gold" })).toEqual([
        { path: "tier", message: 'unknown tier "gold": expected one of free, pro, enterprise' },
      ])
      expect((yield* issuesOf({ name: "acme" }))[0]?.path).toBe("tier")
    }),
  )

  it.effect("reports every problem with its field path, unknown fields included", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf({
        name: "acme",
        tier: "pro",
        replicas: 50,
        resources: { cpuMillis: 1 },
        hostnames: ["ok.example.com", "NOT A HOST"],
        colour: "blue",
      })
      expect(issues.map((issue) => issue.path).sort()).toEqual(
        ["colour", "hostnames[1]", "replicas", "resources.cpuMillis"].sort(),
      )
    }),
  )

  it.effect("bounds replicas, resources and custom hostnames by tier", () =>
    Effect.gen(function* () {
      expect((yield* issuesOf({ name: "acme", tier: "free", replicas: 2 }))[0]?.path).toBe("replicas")
      expect((yield* issuesOf({ name: "acme", tier: "free", hostnames: ["a.example.com"] }))[0]?.message).toContain(
        "at most 0 custom hostnames",
      )
      expect((yield* decode({ name: "acme", tier: "enterprise", replicas: 20 })).replicas).toBe(20)
    }),
  )

  it.effect("refuses env that the platform sets or that looks like a credential", () =>
    Effect.gen(function* () {
      expect((yield* issuesOf({ name: "acme", tier: "pro", env: { POSTGRES_HOST: "x" } }))[0]?.message).toContain(
        "set by the platform",
      )
      expect((yield* issuesOf({ name: "acme", tier: "pro", env: { STRIPE_API_KEY: "x" } }))[0]?.message).toContain(
        "looks like a credential",
      )
      expect((yield* decode({ name: "acme", tier: "pro", env: { EMAIL_FROM: "hi@acme.io" } })).env).toEqual({
        EMAIL_FROM: "hi@acme.io",
      })
    }),
  )

  it.effect("refuses the latest tag and platform label prefixes", () =>
    Effect.gen(function* () {
      expect((yield* issuesOf({ name: "acme", tier: "pro", image: { tag: "latest" } }))[0]?.path).toBe("image.tag")
      expect((yield* issuesOf({ name: "acme", tier: "pro", labels: { "app.kubernetes.io/name": "x" } }))[0]?.path).toBe(
        "labels.app.kubernetes.io/name",
      )
    }),
  )
})
