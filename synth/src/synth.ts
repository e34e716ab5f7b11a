import { dirname, isAbsolute, relative } from "node:path"
import { apiImageFor, encodeRolloutState, type Platform, ROLLOUT_FILE, type RolloutState } from "@ppi/config"
import { checkFleet, checkFolder, contextOf, place } from "@ppi/policy"
import { Effect } from "effect"
import { InvalidManifests, OutputFailed, PolicyViolations, type SynthError, TenantConflict } from "./errors.ts"
import { renderFleet } from "./factory/render-fleet.ts"
import { renderTenant } from "./factory/render-tenant.ts"
import { loadPlatform } from "./load/platform-file.ts"
import { loadRolloutState } from "./load/rollout-file.ts"
import { TenantFiles } from "./load/tenant-files.ts"
import { OutputTree, type Tree } from "./output/output-tree.ts"
import { findCapacityIssues } from "./validate/fleet-capacity.ts"
import { locateViolation } from "./validate/locate-violation.ts"
import { findConflicts } from "./validate/tenant-conflicts.ts"

export interface SynthOptions {
  readonly tenantsDir: string
  readonly platformFile: string
  readonly outDir: string
  /** The rollout state to render (the deploy branch's `_platform/rollout.json`), if any. */
  readonly rolloutFile?: string
}

export interface SynthSummary {
  readonly tenants: number
  readonly objects: number
  readonly files: number
  readonly filesChanged: number
}

/** How fleet-wide issues name the platform file (the name it has in the repository). */
const PLATFORM_FILE = "synth/platform.ts"

/**
 * Tenants → the complete output tree, in memory: decode, fleet-wide conflicts and capacity, build, schema
 * validation, guardrails. Fails with every problem found, never a partial tree. With a rollout
 * state, each tenant gets the API version of its wave and the state is written to the tree.
 */
export const buildTree = (tenantsDir: string, platform: Platform, rollout?: RolloutState) =>
  Effect.gen(function* () {
    const loaded = yield* (yield* TenantFiles).load(tenantsDir)
    const conflicts = [...findConflicts(loaded, platform), ...findCapacityIssues(loaded, platform, PLATFORM_FILE)]
    if (conflicts.length > 0) return yield* new TenantConflict({ issues: conflicts })
    // Keep only what the tree needs: a fleet's objects are garbage as soon as they are serialized.
    const rendered = loaded.map(({ tenant }) => {
      const { objects, ...rest } = renderTenant(tenant, platform, apiImageFor(tenant, platform, rollout))
      return { ...rest, objectCount: objects.length }
    })
    const live = rendered.filter((tenant) => tenant.objectCount > 0)
    const fleet = renderFleet(
      platform,
      live.map((tenant) => tenant.name),
    )
    const violations = [...rendered.flatMap((tenant) => tenant.violations), ...fleet.violations]
    if (violations.length > 0) return yield* new InvalidManifests({ violations })
    const files = new Map(loaded.map(({ file, tenant }) => [tenant.name, file]))
    const context = contextOf({ platform })
    const fleetFolder = {
      tenant: context.fleetFolder,
      objects: fleet.objects.map(({ path, object }) => place(path, object, context)),
    }
    const policyViolations = [
      ...rendered.flatMap((tenant) =>
        tenant.policyViolations.map((violation) => locateViolation(violation, files.get(tenant.name))),
      ),
      ...[
        ...checkFolder(fleetFolder, context),
        ...checkFleet(
          live.map((tenant) => tenant.claims),
          fleetFolder,
          context,
        ),
      ].map(({ rule, path, object, message }) => ({ tenant: path.split("/")[0] ?? "", rule, object, message })),
    ]
    if (policyViolations.length > 0) return yield* new PolicyViolations({ violations: policyViolations })
    const tree = new Map<string, string>(fleet.files)
    if (rollout !== undefined) tree.set(ROLLOUT_FILE, encodeRolloutState(rollout))
    for (const tenant of rendered)
      for (const [file, content] of tenant.files) tree.set(`${tenant.name}/${file}`, content)
    return {
      tree: tree as Tree,
      tenants: loaded.length,
      objects: rendered.reduce((sum, tenant) => sum + tenant.objectCount, 0),
    }
  })

const within = (child: string, parent: string) => {
  const path = relative(parent, child)
  return path === "" || (!path.startsWith("..") && !isAbsolute(path))
}

/**
 * The output may neither hold nor sit inside the tenants folder, and may not hold the platform
 * file: replacing such a folder would delete the sources the output is made from.
 */
const checkOutputPlace = (options: SynthOptions): Effect.Effect<void, OutputFailed> => {
  const clash =
    within(options.outDir, options.tenantsDir) || within(options.tenantsDir, options.outDir)
      ? options.tenantsDir
      : within(dirname(options.platformFile), options.outDir)
        ? dirname(options.platformFile)
        : undefined
  return clash === undefined
    ? Effect.void
    : Effect.fail(
        new OutputFailed({
          path: options.outDir,
          reason: `overlaps the sources in ${relative(process.cwd(), clash) || "."}: choose an --out outside them`,
        }),
      )
}

/** `synth`: load, decode, check, build, validate, then swap the output folder in one step. */
export const synth = (options: SynthOptions): Effect.Effect<SynthSummary, SynthError, TenantFiles | OutputTree> =>
  Effect.gen(function* () {
    yield* checkOutputPlace(options)
    const platform = yield* loadPlatform(options.platformFile)
    const rollout = options.rolloutFile === undefined ? undefined : yield* loadRolloutState(options.rolloutFile)
    const { tree, tenants, objects } = yield* buildTree(options.tenantsDir, platform, rollout)
    const { filesChanged } = yield* (yield* OutputTree).replace(options.outDir, tree)
    return { tenants, objects, files: tree.size, filesChanged }
  })
