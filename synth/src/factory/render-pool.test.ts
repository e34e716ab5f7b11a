import { createHook } from "node:async_hooks"
import { describe, expect, it } from "@effect/vitest"
import { apiImageFor, type Platform, type Tenant } from "@ppi/config"
import { Effect, Fiber } from "effect"
import fc from "fast-check"
import { RenderFailed } from "../errors.ts"
import { arbitraryTenant, tenantName } from "../testing/arbitrary-tenant.ts"
import { platformFor, roomyPlatformInput } from "../testing/fixtures.ts"
import { decoded } from "../testing/render.ts"
import type { FreshJob } from "./render-pool.ts"
import { renderBatch } from "./render-pool.ts"

const platform: Platform = platformFor(roomyPlatformInput())

// Every tier, state and optional field, from a fixed seed: the same fleet on every run.
const tenants: ReadonlyArray<Tenant> = (
  fc.sample(fc.uniqueArray(arbitraryTenant(tenantName), { selector: (t) => t.name, minLength: 64, maxLength: 64 }), {
    seed: 17,
    numRuns: 1,
  })[0] ?? []
).map((input) => decoded(input))

const jobOf = (tenant: Tenant): FreshJob => ({
  tenant,
  inputs: { apiImage: apiImageFor(tenant, platform), inputs: { tenant: tenant.name }, hash: `hash-${tenant.name}` },
})
const jobs = tenants.map(jobOf)

/** Everything an output carries, its files in their order: what the tree is assembled from. */
const comparable = (outputs: ReadonlyArray<{ readonly files: ReadonlyMap<string, string> }>) =>
  outputs.map((output) => ({ ...output, files: [...output.files] }))

// Worker threads alive in this process, seen through their async resources.
const liveWorkers = new Set<number>()
createHook({
  init: (id, type) => {
    if (type === "WORKER") liveWorkers.add(id)
  },
  destroy: (id) => {
    liveWorkers.delete(id)
  },
}).enable()

/** Lets the destroy hooks of terminated workers run. */
const settleHooks = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))

describe("renderBatch", () => {
  it.effect("renders on worker threads exactly what it renders inline: same files, same order", () =>
    Effect.gen(function* () {
      const inline = yield* renderBatch(platform, jobs, { inlineBelow: Number.POSITIVE_INFINITY })
      const workersOnly = yield* renderBatch(platform, jobs, { inlineBelow: 0, workers: 2, mainThread: false })
      const shared = yield* renderBatch(platform, jobs, { inlineBelow: 0, workers: 1 })
      expect(inline.map((output) => output.name)).toEqual(tenants.map((tenant) => tenant.name))
      expect(inline.some((output) => output.files.size > 0)).toBe(true)
      expect(comparable(workersOnly)).toEqual(comparable(inline))
      expect(comparable(shared)).toEqual(comparable(inline))
    }),
  )

  it.effect("counts every tenant as its result arrives", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      yield* renderBatch(platform, jobs, { inlineBelow: 0, workers: 2, onProgress: (done) => seen.push(done) })
      expect(seen).toEqual(jobs.map((_, index) => index + 1))
    }),
  )

  it.effect("fails with RenderFailed when a progress callback throws, on the main thread's share or a worker's", () =>
    Effect.gen(function* () {
      for (const mainThread of [true, false]) {
        const error = yield* renderBatch(platform, jobs, {
          inlineBelow: 0,
          workers: 1,
          mainThread,
          onProgress: (done) => {
            if (done === 20) throw new Error("progress bar broke")
          },
        }).pipe(Effect.flip)
        expect(error).toBeInstanceOf(RenderFailed)
        expect(String(error.cause)).toMatch(/progress bar broke/)
      }
    }),
  )

  it.effect("fails with RenderFailed naming the tenant whose render threw in a worker", () =>
    Effect.gen(function* () {
      const [first, broken] = tenants
      // A state no decoded tenant has: the renderer's exhaustive match throws on it.
      const bad = jobOf({ ...(broken as Tenant), state: "frozen" } as unknown as Tenant)
      const error = yield* renderBatch(platform, [jobOf(first as Tenant), bad, ...jobs.slice(2)], {
        inlineBelow: 0,
        workers: 2,
        mainThread: false,
      }).pipe(Effect.flip)
      expect(error).toBeInstanceOf(RenderFailed)
      expect(error.tenant).toBe(broken?.name)
      expect(String(error.cause)).toMatch(/exhaustive/)
    }),
  )

  it.effect("fails with RenderFailed, without hanging, when a worker dies", () =>
    Effect.gen(function* () {
      // A heap far too small to load the renderer: the worker runs out of memory and is gone.
      const error = yield* renderBatch(platform, jobs, {
        inlineBelow: 0,
        workers: 1,
        mainThread: false,
        resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 },
      }).pipe(Effect.flip)
      expect(error).toBeInstanceOf(RenderFailed)
      expect(error.tenant).toBeUndefined()
      expect(String(error.cause)).toMatch(/memory/i)
    }),
  )

  it.effect("leaves no worker running once a batch is done, has failed or is interrupted", () =>
    Effect.gen(function* () {
      yield* renderBatch(platform, jobs, { inlineBelow: 0, workers: 2 })
      yield* settleHooks
      expect(liveWorkers.size).toBe(0)
      yield* renderBatch(platform, [jobOf({ ...(tenants[0] as Tenant), state: "frozen" } as unknown as Tenant)], {
        inlineBelow: 0,
        workers: 2,
        mainThread: false,
      }).pipe(Effect.flip)
      yield* settleHooks
      expect(liveWorkers.size).toBe(0)
      const fiber = yield* Effect.forkChild(
        renderBatch(platform, jobs, { inlineBelow: 0, workers: 2, mainThread: false }),
      )
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      expect(liveWorkers.size).toBe(2)
      yield* Fiber.interrupt(fiber)
      yield* settleHooks
      expect(liveWorkers.size).toBe(0)
    }),
  )

  it.effect("renders a small batch on the main thread alone, starting no worker", () =>
    Effect.gen(function* () {
      const started = new Set<number>()
      const hook = createHook({
        init: (id, type) => {
          if (type === "WORKER") started.add(id)
        },
      }).enable()
      const outputs = yield* renderBatch(platform, jobs.slice(0, 8))
      hook.disable()
      expect(outputs.map((output) => output.name)).toEqual(tenants.slice(0, 8).map((tenant) => tenant.name))
      expect(started.size).toBe(0)
    }),
  )
})
