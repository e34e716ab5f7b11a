import { describe, expect, it } from "@effect/vitest"
import { decodeRolloutState, ROLLOUT_FILE, type RolloutState } from "@ppi/config"
import { checkTree } from "@ppi/policy"
import { Effect } from "effect"
import { TenantFiles } from "./load/tenant-files.ts"
import { buildTree } from "./synth.ts"
import { examplePlatform, exampleTenantsDir } from "./testing/fixtures.ts"

const from = { repository: "ghcr.io/parametric-portal/api", tag: "1.4.0" }
const to = examplePlatform.images.api
const state = (extra: Partial<RolloutState> = {}): RolloutState => ({
  from,
  to,
  wave: 0,
  since: "2026-01-01T00:00:00.000Z",
  status: "rolling",
  ...extra,
})
const build = (rollout?: RolloutState) =>
  buildTree(exampleTenantsDir, examplePlatform, rollout === undefined ? {} : { rollout }).pipe(
    Effect.provide(TenantFiles.layer),
  )
const imageOf = (tree: ReadonlyMap<string, string>, tenant: string) =>
  /image: "?([^"\s]+)/.exec(tree.get(`${tenant}/app/manifest.yaml`) ?? "")?.[1]

describe("synth during a rollout", () => {
  it.effect("gives the canary the new version, the rest the old one, and writes the state", () =>
    Effect.gen(function* () {
      const { tree } = yield* build(state())
      expect(imageOf(tree, "hobby")).toBe(`${to.repository}:${to.tag}@${to.digest}`)
      expect(imageOf(tree, "acme")).toBe(`${from.repository}:${from.tag}`)
      // globex pins its own image: a rollout never moves it.
      expect(imageOf(tree, "globex")).toBe(`${to.repository}:1.4.1`)
      expect(decodeRolloutState(JSON.parse(tree.get(ROLLOUT_FILE) ?? ""))).toEqual(state())
      // The state file is data: the guardrails pass the tree as it is published.
      expect(checkTree(tree, { platform: examplePlatform }).violations).toEqual([])
    }),
  )

  it.effect("moves everyone once the last wave is reached, and no one after a rollback", () =>
    Effect.gen(function* () {
      const last = (yield* build(state({ wave: 3 }))).tree
      expect(imageOf(last, "acme")).toContain(`:${to.tag}@`)
      const back = (yield* build(state({ status: "rolled-back" }))).tree
      expect(imageOf(back, "hobby")).toBe(`${from.repository}:${from.tag}`)
    }),
  )

  it.effect("without a state renders today's output: the platform's version everywhere, no state file", () =>
    Effect.gen(function* () {
      const { tree } = yield* build()
      expect(imageOf(tree, "acme")).toContain(`:${to.tag}@`)
      expect(tree.has(ROLLOUT_FILE)).toBe(false)
    }),
  )
})
