import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { decodeTenant } from "@ppi/config"
import { TenantFiles } from "@ppi/synth"
import { Effect, Exit } from "effect"
import { fleet, writeFleet } from "./fleet.ts"
import { median } from "./measure.ts"

describe("benchmark fleet", () => {
  it("is deterministic and made only of valid tenants with a realistic tier mix", () => {
    const tenants = fleet(500)
    expect(fleet(500)).toEqual(tenants)
    for (const tenant of tenants) expect(Exit.isSuccess(Effect.runSyncExit(decodeTenant("t.ts", tenant)))).toBe(true)
    const share = (tier: string) => tenants.filter((t) => t.tier === tier).length / tenants.length
    expect(share("free")).toBeGreaterThan(0.45)
    expect(share("pro")).toBeGreaterThan(0.2)
    expect(share("enterprise")).toBeGreaterThan(0.02)
  })

  it("writes tenant files the real loader accepts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ppi-fleet-"))
    try {
      await writeFleet(dir, fleet(30))
      const loaded = await Effect.runPromise(
        Effect.gen(function* () {
          return yield* (yield* TenantFiles).load(dir)
        }).pipe(Effect.provide(TenantFiles.layer)),
      )
      expect(loaded).toHaveLength(30)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it("takes the median of the runs", () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
  })
})
