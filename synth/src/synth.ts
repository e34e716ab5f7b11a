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
import type { TenantOutput } from "./factory/render-fresh.ts"
import { renderBatch } from "./factory/render-pool.ts"
import { combineDigests, inputDigests, inputHash, type NamedInput } from "./incremental/input-hash.ts"
import type { PreviousFolder, PreviousOutput } from "./incremental/previous-output.ts"
import { readMetadata } from "./incremental/render-metadata.ts"
import { synthVersion } from "./incremental/synth-version.ts"
import { loadRolloutState } from "./load/rollout-file.ts"
import { type LoadedTenant, TenantFiles } from "./load/tenant-files.ts"
import { checkOutputPlace } from "./output/output-place.ts"
import { type CarriedFolder, OutputTree, type Tree, type WrittenFolder } from "./output/output-tree.ts"
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
  /** Worker threads rendering beside the main thread; by default one per further core. */
  readonly workers?: number
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
  /**
   * An earlier output (synth's own, or a checkout of the deploy branch): tenants whose inputs hash
   * the same are reused from it (`previousFromTree` for a tree in memory).
   */
  readonly previous?: PreviousOutput
  /** Called after each tenant is rendered or reused (a progress bar). */
  readonly onProgress?: (done: number, total: number) => void
  /** Worker threads rendering beside the main thread; by default one per further core (0: the main thread only). */
  readonly workers?: number
  /**
   * Where each freshly rendered tenant's files go as soon as they are rendered (synth's new output
   * generation); they are then listed in `written`, not held in `tree`.
   */
  readonly sink?: { readonly write: (folder: string, files: ReadonlyMap<string, string>) => void }
}

/** The fleet-wide inputs of the CLI, the preview and publish: the platform file's bytes and the synth version. */
export const synthInputs = (platformText: string, synthVersion: string): ReadonlyArray<NamedInput> => [
  { name: "platform", bytes: platformText },
  { name: "synth", bytes: synthVersion },
]

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
const reusableFolder = (name: string, hash: string, folder: PreviousFolder | undefined): TenantOutput | undefined => {
  const before = readMetadata(folder?.metadata)
  if (folder === undefined || before === undefined || before.inputHash !== hash || before.claims.tenant !== name)
    return undefined
  return {
    name,
    ...(folder._tag === "InMemory"
      ? { files: folder.files }
      : { files: new Map(), carried: { dir: folder.dir, paths: folder.paths, metadata: folder.metadata } }),
    violations: [],
    policyViolations: [],
    claims: before.claims as FolderClaims,
    objectCount: before.objects,
  }
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

/** Writes a rendered tenant's files through `sink` and keeps only their paths and metadata. */
const streamTo =
  (sink: NonNullable<BuildOptions["sink"]>) =>
  (output: TenantOutput): TenantOutput => {
    if (output.files.size === 0) return output
    sink.write(output.name, output.files)
    return {
      ...output,
      files: new Map(),
      written: { paths: [...output.files.keys()], metadata: output.files.get(METADATA_FILE) },
    }
  }

/**
 * The output tree: the fleet's files, the rollout state if any, then each tenant's folder; the
 * folders carried over from an output on disk, and those already written, are listed apart.
 */
const assembleTree = (
  fleet: FleetOutput,
  rendered: ReadonlyArray<TenantOutput>,
  rollout: RolloutState | undefined,
): {
  readonly tree: Tree
  readonly carried: ReadonlyArray<CarriedFolder>
  readonly written: ReadonlyArray<WrittenFolder>
} => {
  const tree = new Map<string, string>(fleet.files)
  const carried: Array<CarriedFolder> = []
  const written: Array<WrittenFolder> = []
  if (rollout !== undefined) tree.set(ROLLOUT_FILE, encodeRolloutState(rollout))
  for (const tenant of rendered) {
    if (tenant.carried !== undefined) carried.push({ folder: tenant.name, ...tenant.carried })
    if (tenant.written !== undefined) written.push({ folder: tenant.name, ...tenant.written })
    for (const [file, content] of tenant.files) tree.set(`${tenant.name}/${file}`, content)
  }
  return { tree, carried, written }
}

/**
 * Tenants → the complete output tree, in memory: decode every tenant, check fleet-wide conflicts
 * and capacity over all of them, then render, validate and check only the tenants whose inputs
 * changed since `previous`; the others' folders are reused as they were (in `tree` when `previous`
 * is in memory, else listed in `carried`, to be linked from disk). Fails with every problem
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
    const previous = options.previous ?? new Map<string, PreviousFolder>()
    // Reuse is decided for every tenant first; the others render as one batch, across the cores.
    const planned = loaded.map(({ tenant, source }) => {
      const inputs = tenantInputsOf(tenant, source, platform, options, fleetDigests)
      return { tenant, inputs, kept: reusableFolder(tenant.name, inputs.hash, previous.get(tenant.name)) }
    })
    const fresh = planned.filter((plan) => plan.kept === undefined)
    const reused = loaded.length - fresh.length
    options.onProgress?.(reused, loaded.length)
    // Keep only what the tree needs: a tenant's objects are garbage as soon as they are serialized.
    const renders = (yield* renderBatch(platform, fresh, {
      onProgress: (done) => options.onProgress?.(reused + done, loaded.length),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(options.sink === undefined ? {} : { onOutput: streamTo(options.sink) }),
    }))[Symbol.iterator]()
    // One output per fresh tenant, in their order.
    const rendered = planned.map((plan): TenantOutput => plan.kept ?? (renders.next().value as TenantOutput))
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
      ...assembleTree(fleet, rendered, options.rollout),
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
        : yield* output.readPrevious(options.previousDir)
    // Rendered tenants stream into a new generation as they come; it is swapped in only if all is well.
    const generation = yield* output.begin(options.outDir)
    const { tree, carried, written, tenants, objects, reused } = yield* buildTree(options.tenantsDir, platform, {
      inputs: synthInputs(text, version),
      previous,
      sink: generation,
      ...(rollout === undefined ? {} : { rollout }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
    }).pipe(Effect.onError(() => generation.abort()))
    const { filesChanged } = yield* generation.commit(tree, carried, written)
    const files = [...carried, ...written].reduce((sum, folder) => sum + folder.paths.length, tree.size)
    return { tenants, reused, objects, files, filesChanged }
  })
