import { describe, expect, it } from "@effect/vitest"
import { PLATFORM_FILE, type TierName, TierSpecs } from "@ppi/config"
import { Effect, Exit } from "effect"
import { TenantFiles } from "../load/tenant-files.ts"
import { buildTree } from "../synth.ts"
import { examplePlatform, platformFor, platformInput } from "../testing/fixtures.ts"
import { decoded } from "../testing/render.ts"
import { findCapacityIssues } from "./fleet-capacity.ts"

const fleet = (tiers: ReadonlyArray<TierName>) =>
  tiers.map((tier, i) => ({ tenant: decoded({ name: `t${i}`, tier }, `t${i}.ts`) }))

const { postgres } = examplePlatform
const tenantConnections = postgres.selfhosted.maxConnections - postgres.selfhosted.reservedConnections

describe("fleet capacity", () => {
  it("reserves headroom: no single tier's connection limit can take the whole server", () => {
    for (const tier of ["free", "pro", "enterprise"] as const)
      expect(TierSpecs[tier].dbConnections).toBeLessThan(tenantConnections / 2)
  })

  it("accepts the example fleet on the example platform, in both modes", () => {
    const tiers = ["free", "pro", "pro", "enterprise"] as const
    expect(findCapacityIssues(fleet(tiers), examplePlatform, PLATFORM_FILE)).toEqual([])
    expect(findCapacityIssues(fleet(tiers), platformFor({ mode: "cloud" }), PLATFORM_FILE)).toEqual([])
  })

  it("refuses a fleet whose connection limits exceed max_connections minus the reserve, naming the setting", () => {
    const enterprise = Math.floor(tenantConnections / TierSpecs.enterprise.dbConnections)
    const postgresIssues = (count: number) =>
      findCapacityIssues(fleet(Array(count).fill("enterprise")), examplePlatform, "p.ts").filter((issue) =>
        issue.path.startsWith("postgres."),
      )
    expect(postgresIssues(enterprise)).toEqual([])
    const issues = postgresIssues(enterprise + 1)
    expect(issues).toEqual([
      {
        file: "p.ts",
        path: "postgres.selfhosted.maxConnections",
        message: expect.stringContaining(
          `sum to ${(enterprise + 1) * TierSpecs.enterprise.dbConnections}, more than the ${tenantConnections} the server allows (max_connections ${postgres.selfhosted.maxConnections} minus ${postgres.selfhosted.reservedConnections} reserved`,
        ),
      },
    ])
  })

  it("checks the current mode's servers, Redis clients and memory too", () => {
    const small = platformFor({
      mode: "cloud",
      redis: {
        ...platformInput.redis,
        cloud: { ...platformInput.redis.cloud, maxClients: 45, reservedClients: 10, maxMemoryMiB: 60 },
      },
    })
    expect(findCapacityIssues(fleet(["pro"]), small, "p.ts").map((issue) => issue.path)).toEqual([
      "redis.cloud.maxClients",
      "redis.cloud.maxMemoryMiB",
    ])
  })

  it.effect("stops the synth with the capacity issue before rendering anything", () =>
    Effect.gen(function* () {
      const count = Math.floor(tenantConnections / TierSpecs.enterprise.dbConnections) + 1
      const values = Object.fromEntries(
        Array.from({ length: count }, (_, i) => [`t${i}.ts`, { name: `t${i}`, tier: "enterprise" }]),
      )
      const exit = yield* Effect.exit(
        buildTree("-", examplePlatform).pipe(Effect.provide(TenantFiles.fromValues(values))),
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain(
        "synth/platform.ts: postgres.selfhosted.maxConnections",
      )
    }),
  )
})
