import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import type { PlatformInput, TenantInput } from "@ppi/config"
import { Effect } from "effect"
import fc from "fast-check"
import { TenantFiles } from "../load/tenant-files.ts"
import { OutputTree, readTree } from "../output/output-tree.ts"
import { type BuildOptions, buildTree, synthInputs } from "../synth.ts"
import { arbitraryTenant, tenantName } from "../testing/arbitrary-tenant.ts"
import { platformFor, roomyPlatformInput } from "../testing/fixtures.ts"
import { type PreviousOutput, previousFromTree } from "./previous-output.ts"

// Two platforms that render every tenant differently (another deploy repository), roomy enough for any fleet.
const platforms: ReadonlyArray<PlatformInput> = [
  roomyPlatformInput(),
  { ...roomyPlatformInput(), deploy: { repoURL: "https://git.example/other/deploy.git", branch: "deploy" } },
]

// Custom hostnames are the user's to choose; the synth refuses duplicates (tested elsewhere).
const tenant = (name: fc.Arbitrary<string>) => arbitraryTenant(name).map((input) => ({ ...input, hostnames: [] }))
const fleet = fc
  .uniqueArray(tenantName, { minLength: 0, maxLength: 5 })
  .chain((names) => fc.tuple(...names.map((name) => tenant(fc.constant(name)))))

type Edit =
  | { readonly _tag: "add"; readonly tenant: TenantInput }
  | { readonly _tag: "change"; readonly at: number; readonly tenant: TenantInput }
  | { readonly _tag: "remove"; readonly at: number }
  | { readonly _tag: "rename"; readonly at: number; readonly to: string }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  tenant(tenantName).map((input): Edit => ({ _tag: "add", tenant: input })),
  fc.tuple(fc.nat(), tenant(tenantName)).map(([at, input]): Edit => ({ _tag: "change", at, tenant: input })),
  fc.nat().map((at): Edit => ({ _tag: "remove", at })),
  fc.tuple(fc.nat(), tenantName).map(([at, to]): Edit => ({ _tag: "rename", at, to })),
)

/** The fleet after an edit; an edit that would give two tenants one name is dropped. */
const apply = (tenants: ReadonlyArray<TenantInput>, change: Edit): ReadonlyArray<TenantInput> => {
  const taken = (name: string) => tenants.some((t) => t.name === name)
  const at = "at" in change && tenants.length > 0 ? change.at % tenants.length : -1
  switch (change._tag) {
    case "add":
      return taken(change.tenant.name) ? tenants : [...tenants, change.tenant]
    case "change":
      // The same tenant (its name kept), anything else about it new.
      return at < 0 ? tenants : tenants.map((t, i) => (i === at ? { ...change.tenant, name: t.name } : t))
    case "remove":
      return at < 0 ? tenants : tenants.filter((_, i) => i !== at)
    case "rename":
      return at < 0 || taken(change.to) ? tenants : tenants.map((t, i) => (i === at ? { ...t, name: change.to } : t))
  }
}

const build = (
  tenants: ReadonlyArray<TenantInput>,
  platform: PlatformInput,
  version: string,
  previous?: ReadonlyMap<string, string> | PreviousOutput,
  sink?: BuildOptions["sink"],
) =>
  Effect.runPromise(
    buildTree("-", platformFor(platform), {
      inputs: synthInputs(JSON.stringify(platform), version),
      ...(previous === undefined ? {} : { previous: asPrevious(previous) }),
      ...(sink === undefined ? {} : { sink }),
    }).pipe(Effect.provide(TenantFiles.fromValues(Object.fromEntries(tenants.map((t) => [`${t.name}.ts`, t]))))),
  )

const asPrevious = (previous: ReadonlyMap<string, string> | PreviousOutput): PreviousOutput =>
  [...previous.values()].every((value) => typeof value === "string")
    ? previousFromTree(previous as ReadonlyMap<string, string>)
    : (previous as PreviousOutput)

/** Runs `use` with the real output folder service. */
const onDisk = <A>(use: (output: OutputTree["Service"]) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* use(yield* OutputTree)
    }).pipe(Effect.provide(OutputTree.layer)),
  )

const bytes = (tree: ReadonlyMap<string, string>) => [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

describe("incremental render", () => {
  it("is byte-identical to a render from scratch, whatever the fleet and its edits", async () => {
    await fc.assert(
      fc.asyncProperty(
        fleet,
        fc.array(edit, { maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        async (before, edits, platformChanged, synthChanged) => {
          const after = edits.reduce(apply, before)
          const previous = await build(before, platforms[0] as PlatformInput, "synth-a")
          const platform = platforms[platformChanged ? 1 : 0] as PlatformInput
          const version = synthChanged ? "synth-b" : "synth-a"
          const incremental = await build(after, platform, version, previous.tree)
          const scratch = await build(after, platform, version)
          expect(bytes(incremental.tree)).toEqual(bytes(scratch.tree))
          // Only what did not change is reused: a tenant file as it was, under a platform and synth as they were.
          const unchanged = after.filter(
            (t) =>
              !platformChanged &&
              !synthChanged &&
              before.some((b) => JSON.stringify(b) === JSON.stringify(t)) &&
              previous.tree.has(`${t.name}/synth.metadata`),
          )
          expect(incremental.reused).toBe(unchanged.length)
          expect(scratch.reused).toBe(0)
        },
      ),
      { numRuns: 100 },
    )
  }, 120_000)

  it("writes the same bytes on disk as a render from scratch, whether the previous output is synth's own or a checkout", async () => {
    const work = await mkdtemp(join(tmpdir(), "ppi-incremental-"))
    try {
      await fc.assert(
        fc.asyncProperty(
          fleet,
          fc.array(edit, { maxLength: 4 }),
          fc.boolean(),
          fc.boolean(),
          async (before, edits, platformChanged, ownOutput) => {
            const after = edits.reduce(apply, before)
            const platform = platforms[platformChanged ? 1 : 0] as PlatformInput
            const [out, checkout] = [join(work, "out"), join(work, "checkout")]
            await rm(work, { recursive: true, force: true })
            const first = await build(before, platforms[0] as PlatformInput, "v")
            await onDisk((output) => output.replace(out, first.tree))
            // A checkout of the deploy branch: the same files as a plain folder, no index beside it.
            if (!ownOutput) await onDisk((output) => output.replace(checkout, first.tree))
            const previous = await onDisk((output) =>
              ownOutput ? output.previous(out) : output.readPrevious(checkout),
            )
            // As the CLI does: rendered tenants streamed into a new generation, reused ones linked.
            const { filesChanged, incremental } = await onDisk((output) =>
              Effect.gen(function* () {
                const generation = yield* output.begin(out)
                const incremental = yield* Effect.promise(() => build(after, platform, "v", previous, generation))
                const { filesChanged } = yield* generation.commit(
                  incremental.tree,
                  incremental.carried,
                  incremental.written,
                )
                return { filesChanged, incremental }
              }),
            )
            const scratch = await build(after, platform, "v")
            const written = await readTree(out)
            expect(bytes(written)).toEqual(bytes(scratch.tree))
            // Nothing of a reused folder is read: its files are listed and linked from where they were.
            expect(incremental.carried.length).toBe(incremental.reused)
            // Nothing rendered is held in memory: every fresh tenant folder went straight to disk.
            expect([...incremental.tree.keys()].every((file) => file.startsWith("_platform/"))).toBe(true)
            const changes = new Set([...first.tree.keys(), ...written.keys()])
            expect(filesChanged).toBe([...changes].filter((file) => first.tree.get(file) !== written.get(file)).length)
          },
        ),
        { numRuns: 30 },
      )
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }, 240_000)

  it("re-renders a tenant whose previous folder carries another tenant's metadata", async () => {
    const [acme, hobby] = [
      { name: "acme", tier: "free" },
      { name: "hobby", tier: "free" },
    ] as const
    const platform = platforms[0] as PlatformInput
    const previous = await build([acme, hobby], platform, "v")
    // A folder copied under another name (its metadata names acme) is not acme-hobby's output.
    const copied = new Map(previous.tree)
    copied.set("hobby/synth.metadata", previous.tree.get("acme/synth.metadata") ?? "")
    const incremental = await build([acme, hobby], platform, "v", copied)
    expect(incremental.reused).toBe(1)
    expect(bytes(incremental.tree)).toEqual(bytes(previous.tree))
  })
})
