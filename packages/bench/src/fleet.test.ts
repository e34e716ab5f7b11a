import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { decodeTenant } from "@ppi/config"
import { TenantFiles } from "@ppi/synth"
import { Effect } from "effect"
import { fleet, writeFleet } from "./fleet.ts"
import { median } from "./measure.ts"

describe("benchmark fleet", () => {
  it.effect("is deterministic and made only of valid tenants with a realistic tier mix", () =>
    Effect.gen(function* () {
      const tenants = fleet(500)
      expect(fleet(500)).toEqual(tenants)
      // Every one decodes (a failure fails the test).
      yield* Effect.forEach(tenants, (tenant) => decodeTenant("t.ts", tenant), { discard: true })
      const share = (tier: string) => tenants.filter((t) => t.tier === tier).length / tenants.length
      expect(share("free")).toBeGreaterThan(0.45)
      expect(share("pro")).toBeGreaterThan(0.2)
      expect(share("enterprise")).toBeGreaterThan(0.02)
    }),
  )

  it.effect("writes tenant files the real loader accepts", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "ppi-fleet-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true })),
      )
      yield* Effect.promise(() => writeFleet(dir, fleet(30)))
      expect(yield* (yield* TenantFiles).load(dir)).toHaveLength(30)
    }).pipe(Effect.provide(TenantFiles.layer)),
  )

  it("takes the median of the runs", () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
  })
})
