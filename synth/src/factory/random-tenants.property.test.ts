import { describe, expect, it } from "@effect/vitest"
import { dbRoleOf, decodeTenant, InvalidConfig, redisUserOf } from "@ppi/config"
import { Effect, Exit } from "effect"
import fc from "fast-check"
import { TenantFiles } from "../load/tenant-files.ts"
import { buildTree } from "../synth.ts"
import { arbitraryTenant, tenantName } from "../testing/arbitrary-tenant.ts"
import { examplePlatform, platformFor, roomyPlatformInput } from "../testing/fixtures.ts"
import { decoded } from "../testing/render.ts"
import { renderTenant } from "./render-tenant.ts"

describe("random valid tenants", () => {
  it("always synthesize, validate, pass every guardrail, and render the same bytes twice", () => {
    fc.assert(
      fc.property(arbitraryTenant(), (input) => {
        const tenant = decoded(input)
        const first = renderTenant(tenant, examplePlatform)
        expect(first.violations).toEqual([])
        expect(first.policyViolations).toEqual([])
        expect(renderTenant(tenant, examplePlatform).files).toEqual(first.files)
      }),
      { numRuns: 1000 },
    )
  }, 300_000)

  // Room for any random fleet: capacity is checked on its own (validate/fleet-capacity.test.ts).
  const roomy = platformFor(roomyPlatformInput())

  it("never collide in names, namespaces, hostnames or database and cache identities", async () => {
    const fleet = fc
      .uniqueArray(tenantName, { minLength: 2, maxLength: 40 })
      .chain((names) => fc.tuple(...names.map((name) => arbitraryTenant(fc.constant(name)))))
    await fc.assert(
      fc.asyncProperty(fleet, async (inputs) => {
        // Custom hostnames are the user's to choose; the synth refuses duplicates (tested elsewhere).
        const values = Object.fromEntries(inputs.map((input, i) => [`t${i}.ts`, { ...input, hostnames: [] }]))
        const exit = await Effect.runPromiseExit(
          buildTree("-", roomy).pipe(Effect.provide(TenantFiles.fromValues(values))),
        )
        expect(Exit.isSuccess(exit)).toBe(true)
        if (!Exit.isSuccess(exit)) return
        const namespaces = [...exit.value.tree.values()].flatMap((text) =>
          /^kind: Namespace$/m.test(text) ? [/^ {2}name: (.+)$/m.exec(text)?.[1]] : [],
        )
        expect(new Set(namespaces).size).toBe(namespaces.length)
        const names = inputs.map((input) => input.name)
        for (const identity of [dbRoleOf, redisUserOf]) expect(new Set(names.map(identity)).size).toBe(names.length)
        const hosts = [...exit.value.tree.values()].flatMap((text) =>
          [...text.matchAll(/^ {2}- host: (.+)$/gm)].map((m) => m[1]),
        )
        expect(new Set(hosts).size).toBe(hosts.length)
      }),
      { numRuns: 25 },
    )
  }, 300_000)
})

describe("random invalid input", () => {
  it("always gives a structured error naming the file, never a crash", () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true }),
        (input) => {
          const exit = Effect.runSyncExit(decodeTenant("tenants/x.ts", input))
          if (Exit.isFailure(exit)) {
            const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
            expect(error).toBeInstanceOf(InvalidConfig)
            expect(error?.issues.length).toBeGreaterThan(0)
            for (const issue of error?.issues ?? []) expect(issue.file).toBe("tenants/x.ts")
          }
        },
      ),
      { numRuns: 2000 },
    )
  })

  it("rejects mutated valid tenants with the field that broke", () => {
    const mutation = fc.constantFrom(
      ["replicas", -1],
      ["replicas", 1.5],
      ["name", "Bad_Name"],
      ["hostnames", ["not a host"]],
      ["resources", { cpuMillis: 999999 }],
      ["state", "paused"],
      ["env", { POSTGRES_PASSWORD: "x" }],
      ["unknownField", true],
    )
    fc.assert(
      fc.property(arbitraryTenant(), mutation, (input, [key, value]) => {
        const exit = Effect.runSyncExit(decodeTenant("t.ts", { ...input, [key as string]: value }))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          const issues = exit.cause.reasons.flatMap((reason) => (reason._tag === "Fail" ? reason.error.issues : []))
          expect(issues.some((issue) => issue.path.startsWith(key as string))).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  }, 300_000)
})
