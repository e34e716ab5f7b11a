import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { decodeTenant } from "./decode.ts"
import type { TenantInput } from "./tenant.ts"
import { TierSpecs } from "./tiers.ts"

const decode = (input: unknown) => Effect.runSync(Effect.result(decodeTenant("tenants/t.ts", input)))
const issuesOf = (input: unknown) => {
  const result = decode(input)
  if (result._tag === "Success") throw new Error("expected a decode failure")
  return result.failure.issues.map(({ path, message }) => ({ path, message }))
}

describe("Tenant", () => {
  it("accepts the minimal tenant and applies the tier's defaults", () => {
    const minimal = { name: "acme", tier: "pro" } satisfies TenantInput
    const result = decode(minimal)
    expect(result._tag).toBe("Success")
    if (result._tag !== "Success") return
    expect(result.success).toEqual({
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
  })

  it.each(["default", "kube-system", "kube-anything", "argocd", "cert-manager", "traefik"])(
    "rejects the reserved name %s",
    (name) => {
      expect(issuesOf({ name, tier: "free" })).toEqual([{ path: "name", message: expect.stringContaining("reserved") }])
    },
  )

  it("rejects a name that is not a DNS label or longer than 40 characters", () => {
    expect(issuesOf({ name: "Acme_Corp", tier: "free" })[0]?.path).toBe("name")
    expect(issuesOf({ name: "a".repeat(41), tier: "free" })).toEqual([
      { path: "name", message: "must be at most 40 characters" },
    ])
  })

  it("names an unknown or missing tier", () => {
    expect(issuesOf({ name: "acme", tier: "gold" })).toEqual([
      { path: "tier", message: 'unknown tier "gold": expected one of free, pro, enterprise' },
    ])
    expect(issuesOf({ name: "acme" })[0]?.path).toBe("tier")
  })

  it("reports every problem with its field path, unknown fields included", () => {
    const issues = issuesOf({
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
  })

  it("bounds replicas, resources and custom hostnames by tier", () => {
    expect(issuesOf({ name: "acme", tier: "free", replicas: 2 })[0]?.path).toBe("replicas")
    expect(issuesOf({ name: "acme", tier: "free", hostnames: ["a.example.com"] })[0]?.message).toContain(
      "at most 0 custom hostnames",
    )
    expect(decode({ name: "acme", tier: "enterprise", replicas: 20 })._tag).toBe("Success")
  })

  it("refuses env that the platform sets or that looks like a credential", () => {
    expect(issuesOf({ name: "acme", tier: "pro", env: { POSTGRES_HOST: "x" } })[0]?.message).toContain(
      "set by the platform",
    )
    expect(issuesOf({ name: "acme", tier: "pro", env: { STRIPE_API_KEY: "x" } })[0]?.message).toContain(
      "looks like a credential",
    )
    expect(decode({ name: "acme", tier: "pro", env: { EMAIL_FROM: "hi@acme.io" } })._tag).toBe("Success")
  })

  it("refuses the latest tag and platform label prefixes", () => {
    expect(issuesOf({ name: "acme", tier: "pro", image: { tag: "latest" } })[0]?.path).toBe("image.tag")
    expect(issuesOf({ name: "acme", tier: "pro", labels: { "app.kubernetes.io/name": "x" } })[0]?.path).toBe(
      "labels.app.kubernetes.io/name",
    )
  })
})
