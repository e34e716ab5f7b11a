import type { Tenant } from "@ppi/config"
import { TenantFiles, type Tree } from "@ppi/synth"
import { Effect } from "effect"
import { describeFleetChange, type GuardVerdict } from "./fleet-summary.ts"
import { diffHash, renderComments, renderFull, treeChanges } from "./render-diff.ts"

export interface RenderedPreview {
  readonly comments: ReadonlyArray<string>
  readonly full: string
  readonly verdict: GuardVerdict
  readonly summary: string
  readonly diffHash: string
  readonly objects: number
}

/**
 * The whole preview of a pull request: the deploy branch's tree against the PR's synth, described
 * in words from the tenants decoded on both sides, with the deletion guard's verdict.
 */
export const renderPreview = (input: {
  readonly before: Tree
  readonly after: Tree
  readonly beforeTenants?: ReadonlyMap<string, Tenant>
  readonly afterTenants?: ReadonlyMap<string, Tenant>
}): RenderedPreview => {
  const changes = treeChanges(input.before, input.after)
  const context = describeFleetChange({
    ...(input.beforeTenants ? { before: input.beforeTenants } : {}),
    ...(input.afterTenants ? { after: input.afterTenants } : {}),
    beforeFiles: [...input.before.keys()],
    afterFiles: [...input.after.keys()],
    changes,
  })
  return {
    comments: renderComments(changes, context),
    full: renderFull(changes, context),
    verdict: context.verdict,
    summary: context.summary ?? "",
    diffHash: diffHash(changes),
    objects: changes.length,
  }
}

/** The tenants of a folder, decoded from their text (never imported), by name. */
export const loadTenants = (dir: string) =>
  Effect.gen(function* () {
    const loaded = yield* (yield* TenantFiles).load(dir)
    return new Map<string, Tenant>(loaded.map(({ tenant }) => [tenant.name, tenant]))
  })
