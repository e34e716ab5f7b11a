import type { Platform, Tenant } from "@ppi/config"
import { TenantFiles, type Tree } from "@ppi/synth"
import { Effect } from "effect"
import { tenantFolders } from "./deletion-guard.ts"
import { describeFleetChange, type GuardVerdict } from "./fleet-summary.ts"
import { holdBack, withFleetOf } from "./held-back.ts"
import { diffHash, renderComments, renderFull, treeChanges } from "./render-diff.ts"
import { rolloutNotice } from "./rollout-preview.ts"

export interface RenderedPreview {
  readonly comments: ReadonlyArray<string>
  readonly full: string
  readonly verdict: GuardVerdict
  readonly summary: string
  readonly diffHash: string
  readonly objects: number
}

/**
 * The PR's synth as publish would deploy it when an earlier merge left a tenant held back (on the
 * deploy branch, in neither the base's nor the PR's tenants/): kept as deployed, with whatever waits
 * on its hostnames, so that every later PR neither shows nor is blamed for that removal.
 */
const alreadyHeldBack = (input: {
  readonly before: Tree
  readonly after: Tree
  readonly beforeTenants?: ReadonlyMap<string, Tenant>
  readonly platform?: Platform
}): { readonly after: Tree; readonly heldBack: ReadonlyArray<string> } => {
  const base = input.beforeTenants
  if (base === undefined) return { after: input.after, heldBack: [] }
  const synthesized = tenantFolders([...input.after.keys()])
  const stale = [...tenantFolders([...input.before.keys()])].filter((name) => !base.has(name) && !synthesized.has(name))
  const { tree, heldBack } = holdBack(input.after, input.before, stale)
  return {
    after: heldBack.length === 0 || input.platform === undefined ? tree : withFleetOf(tree, input.platform),
    heldBack,
  }
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
  /** The change's platform file: with it, a change that starts a rollout lists its waves. */
  readonly platform?: Platform
  /** Where the fleet report of the change is (the run's `fleet-report` artifact). */
  readonly reportUrl?: string
}): RenderedPreview => {
  const { after, heldBack } = alreadyHeldBack(input)
  const changes = treeChanges(input.before, after)
  const described = describeFleetChange({
    ...(input.beforeTenants ? { before: input.beforeTenants } : {}),
    ...(input.afterTenants ? { after: input.afterTenants } : {}),
    beforeFiles: [...input.before.keys()],
    afterFiles: [...after.keys()],
    changes,
    heldBack,
  })
  const rollout =
    input.platform === undefined
      ? undefined
      : rolloutNotice(input.before, input.after, input.platform, [...(input.afterTenants?.values() ?? [])])
  const report =
    input.reportUrl === undefined
      ? undefined
      : `The [fleet report](${input.reportUrl}) after this change is attached to this run (artifact \`fleet-report\`).`
  const notices = [rollout, ...(described.notices ?? []), report].filter((notice) => notice !== undefined)
  const context = { ...described, notices }
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
