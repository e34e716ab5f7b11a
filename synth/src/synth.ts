import {
  apiImageFor,
  encodeRolloutState,
  METADATA_FILE,
  PLATFORM_FILE,
  type Platform,
  ROLLOUT_FILE,
  type RolloutState,
  type Tenant,
} from "@ppi/config"
import { loadPlatformSource } from "@ppi/data-file/source"
import { checkFleet, checkFolder, contextOf, type FolderClaims, place } from "@ppi/policy"
import { Effect } from "effect"
import { InputUnreadable, InvalidManifests, PolicyViolations, type SynthError, TenantConflict } from "./errors.ts"
import { renderFleet } from "./factory/render-fleet.ts"
import { type RenderedTenant, renderTenant } from "./factory/render-tenant.ts"
import { combineDigests, inputDigests, inputHash, type NamedInput } from "./incremental/input-hash.ts"
import { metadataText, readMetadata } from "./incremental/render-metadata.ts"
import { synthVersion } from "./incremental/synth-version.ts"
import { loadRolloutState } from "./load/rollout-file.ts"
import { type LoadedTenant, TenantFiles } from "./load/tenant-files.ts"
import { checkOutputPlace } from "./output/output-place.ts"
import { OutputTree, type Tree } from "./output/output-tree.ts"
import { findCapacityIssues } from "./validate/fleet-capacity.ts"
import { locateViolation } from "./validate/locate-violation.ts"
import { findConflicts } from "./validate/tenant-conflicts.ts"

export interface SynthOptions {
  readonly tenantsDir: string
  readonly platformFile: string
  readonly outDir: string
  /** The output to reuse unchanged tenants from (a checkout of the deploy branch); `outDir`'s own when absent. */
  readonly previousDir?: string
  /** The synth version the output is marked with; by default the package version plus the hash of this code. */
  readonly synthVersion?: string
  readonly onProgress?: (done: number, total: number) => void
  /** The rollout state to render (the deploy branch's `_platform/rollout.json`), if any. */
  readonly rolloutFile?: string
}

export interface SynthSummary {
  readonly tenants: number
  /** Tenants whose folder was reused from the previous output (inputs unchanged). */
  readonly reused: number
  readonly objects: number
  readonly files: number
  readonly filesChanged: number
}

export interface BuildOptions {
  /**
   * What every tenant's output depends on besides its own file: the platform file's bytes and the
   * synth version (`synthInputs`). Without them, the decoded platform stands for the platform file.
   */
  readonly inputs?: ReadonlyArray<NamedInput>
  /** A rollout in progress: each tenant renders at its wave's API version. */
  readonly rollout?: RolloutState
  /** An earlier output (synth's own, or a checkout of the deploy branch): tenants whose inputs hash the same are reused from it. */
  readonly previous?: Tree
  /** Called after each tenant is rendered or reused (a progress bar). */
  readonly onProgress?: (done: number, total: number) => void
}

/** The fleet-wide inputs of the CLI, the preview and publish: the platform file's bytes and the synth version. */
export const synthInputs = (platformText: string, synthVersion: string): ReadonlyArray<NamedInput> => [
  { name: "platform", bytes: platformText },
  { name: "synth", bytes: synthVersion },
]

/** The previous output by tenant folder (path within the folder → content), built once per run. */
const byFolder = (previous: Tree): ReadonlyMap<string, ReadonlyMap<string, string>> => {
  const folders = new Map<string, Map<string, string>>()
  for (const [file, content] of previous) {
    const slash = file.indexOf("/")
    if (slash < 0) continue
    const folder = file.slice(0, slash)
    const files = folders.get(folder) ?? new Map<string, string>()
    folders.set(folder, files)
    files.set(file.slice(slash + 1), content)
  }
  return folders
}

/** What the tree needs of one tenant: its folder, what it claims and what is wrong with it, not its objects. */
type TenantOutput = Omit<RenderedTenant, "objects"> & { readonly objectCount: number }

/** The fleet-wide part of the render: the objects outside any tenant's folder. */
type FleetOutput = ReturnType<typeof renderFleet>

/** What a tenant's output depends on, digested: the fleet's inputs, its file, its API image and any extra. */
const tenantInputsOf = (
  tenant: Tenant,
  source: string,
  platform: Platform,
  options: BuildOptions,
  fleetDigests: Readonly<Record<string, string>>,
) => {
  const apiImage = apiImageFor(tenant, platform, options.rollout)
  const inputs = combineDigests(
    fleetDigests,
    inputDigests([
      { name: "tenant", bytes: source },
      { name: "api-image", bytes: JSON.stringify(apiImage) },
    ]),
  )
  return { apiImage, inputs, hash: inputHash(inputs) }
}

/** The previous folder of a tenant, if it was rendered from the same inputs for the same tenant. */
const reusableFolder = (
  name: string,
  hash: string,
  folder: ReadonlyMap<string, string> | undefined,
): TenantOutput | undefined => {
  const before = readMetadata(folder?.get(METADATA_FILE))
  if (folder === undefined || before === undefined || before.inputHash !== hash || before.claims.tenant !== name)
    return undefined
  return {
    name,
    files: folder,
    violations: [],
    policyViolations: [],
    claims: before.claims as FolderClaims,
    objectCount: before.objects,
  }
}

/** A tenant rendered afresh, its folder marked with the inputs it was made from (an empty folder gets no mark). */
const renderFresh = (
  tenant: Tenant,
  platform: Platform,
  { apiImage, inputs, hash }: ReturnType<typeof tenantInputsOf>,
): TenantOutput => {
  const { objects, files, ...rest } = renderTenant(tenant, platform, apiImage)
  const withMetadata =
    objects.length === 0
      ? files
      : new Map([
          ...files,
          [METADATA_FILE, metadataText({ inputHash: hash, inputs, objects: objects.length, claims: rest.claims })],
        ])
  return { ...rest, files: withMetadata, objectCount: objects.length }
}

/** Every guardrail finding: each tenant's own (located in its file), then the fleet folder's and the cross-tenant ones. */
const policyViolationsOf = (
  loaded: ReadonlyArray<LoadedTenant>,
  rendered: ReadonlyArray<TenantOutput>,
  live: ReadonlyArray<TenantOutput>,
  fleet: FleetOutput,
  platform: Platform,
) => {
  const files = new Map(loaded.map(({ file, tenant }) => [tenant.name, file]))
  const context = contextOf({ platform })
  const fleetFolder = {
    tenant: context.fleetFolder,
    objects: fleet.objects.map(({ path, object }) => place(path, object, context)),
  }
  return [
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
}

/** The output tree: the fleet's files, the rollout state if any, then each tenant's folder. */
const assembleTree = (
  fleet: FleetOutput,
  rendered: ReadonlyArray<TenantOutput>,
  rollout: RolloutState | undefined,
): Tree => {
  const tree = new Map<string, string>(fleet.files)
  if (rollout !== undefined) tree.set(ROLLOUT_FILE, encodeRolloutState(rollout))
  for (const tenant of rendered) for (const [file, content] of tenant.files) tree.set(`${tenant.name}/${file}`, content)
  return tree
}

/**
 * Tenants → the complete output tree, in memory: decode every tenant, check fleet-wide conflicts
 * and capacity over all of them, then render, validate and check only the tenants whose inputs
 * changed since `previous`; the others' folders are reused as they were. Fails with every problem
 * found, never a partial tree. With a rollout state, each tenant gets the API version of its wave
 * (an input of its hash) and the state is written to the tree.
 */
export const buildTree = (
  tenants: string | ReadonlyArray<LoadedTenant>,
  platform: Platform,
  options: BuildOptions = {},
) =>
  Effect.gen(function* () {
    // A folder to load, or tenants a caller already loaded (publish needs them before the render).
    const loaded = typeof tenants === "string" ? yield* (yield* TenantFiles).load(tenants) : tenants
    const conflicts = [...findConflicts(loaded, platform), ...findCapacityIssues(loaded, platform, PLATFORM_FILE)]
    if (conflicts.length > 0) return yield* new TenantConflict({ issues: conflicts })
    const fleetDigests = inputDigests(options.inputs ?? [{ name: "platform", bytes: JSON.stringify(platform) }])
    const previous = byFolder(options.previous ?? new Map<string, string>())
    let reused = 0
    // Keep only what the tree needs: a fleet's objects are garbage as soon as they are serialized.
    const rendered = loaded.map(({ tenant, source }, index): TenantOutput => {
      options.onProgress?.(index, loaded.length)
      const inputs = tenantInputsOf(tenant, source, platform, options, fleetDigests)
      const kept = reusableFolder(tenant.name, inputs.hash, previous.get(tenant.name))
      if (kept === undefined) return renderFresh(tenant, platform, inputs)
      reused++
      return kept
    })
    options.onProgress?.(loaded.length, loaded.length)
    const live = rendered.filter((tenant) => tenant.objectCount > 0)
    const fleet = renderFleet(
      platform,
      live.map((tenant) => tenant.name),
    )
    const violations = [...rendered.flatMap((tenant) => tenant.violations), ...fleet.violations]
    if (violations.length > 0) return yield* new InvalidManifests({ violations })
    const policyViolations = policyViolationsOf(loaded, rendered, live, fleet, platform)
    if (policyViolations.length > 0) return yield* new PolicyViolations({ violations: policyViolations })
    return {
      tree: assembleTree(fleet, rendered, options.rollout),
      tenants: loaded.length,
      objects: rendered.reduce((sum, tenant) => sum + tenant.objectCount, 0),
      /** Tenants whose folder was taken from `previous` instead of rendered. */
      reused,
      loaded,
    }
  })

/** The repository this synth runs from: its code and lockfile make the synth version. */
const REPOSITORY = new URL("../../", import.meta.url).pathname

/** `@ppi/synth@0.1.0+3f2a…` of the code running now. */
export const currentSynthVersion = Effect.tryPromise({
  try: () => synthVersion(REPOSITORY),
  catch: (error) => new InputUnreadable({ path: REPOSITORY, reason: `cannot hash the synth code: ${String(error)}` }),
})

/** `synth`: load, decode, check, build, validate, then swap the output folder in one step. */
export const synth = (options: SynthOptions): Effect.Effect<SynthSummary, SynthError, TenantFiles | OutputTree> =>
  Effect.gen(function* () {
    yield* checkOutputPlace(options)
    const { platform, text } = yield* loadPlatformSource(options.platformFile)
    const rollout = options.rolloutFile === undefined ? undefined : yield* loadRolloutState(options.rolloutFile)
    const version = options.synthVersion ?? (yield* currentSynthVersion)
    const output = yield* OutputTree
    const previous =
      options.previousDir === undefined
        ? yield* output.previous(options.outDir)
        : yield* output.read(options.previousDir)
    const { tree, tenants, objects, reused } = yield* buildTree(options.tenantsDir, platform, {
      inputs: synthInputs(text, version),
      previous,
      ...(rollout === undefined ? {} : { rollout }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    })
    const { filesChanged } = yield* output.replace(options.outDir, tree)
    return { tenants, reused, objects, files: tree.size, filesChanged }
  })
