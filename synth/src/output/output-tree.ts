import { spawn } from "node:child_process"
import {
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  rmdir,
  symlink,
  writeFile,
} from "node:fs/promises"
import { basename, dirname, join, relative } from "node:path"
import { METADATA_FILE } from "@ppi/config"
import { Context, Effect, Layer } from "effect"
import { OutputFailed } from "../errors.ts"
import type { PreviousOutput } from "../incremental/previous-output.ts"

/** A whole output tree: relative path (`acme/app/manifest.yaml`) → content. */
export type Tree = ReadonlyMap<string, string>

export interface WriteResult {
  readonly filesChanged: number
}

/**
 * Replaces an output folder all at once. `out` is a symlink to a complete generation folder
 * next to it; a new generation is written in full (rendered tenants streamed into it as they
 * come, `begin`), then the link is swapped by rename(2), which is atomic. A run killed at any moment leaves `out` pointing at the old tree or the new
 * one, never at a half-written one. Leftovers of killed runs are removed by the next run; the
 * generation a run replaced is deleted in the background. Unchanged tenant folders are linked from
 * where they are, never read, so a run costs what changed plus a link per file.
 */
export class OutputTree extends Context.Service<
  OutputTree,
  {
    /** What an earlier run wrote to `out`, from its index alone; nothing when `out` is not (yet) a synth output. */
    readonly previous: (out: string) => Effect.Effect<PreviousOutput, OutputFailed>
    /** Any folder of manifests (a checkout of the deploy branch) as an earlier output: listed, its metadata read. */
    readonly readPrevious: (dir: string) => Effect.Effect<PreviousOutput, OutputFailed>
    /** `tree`'s files written and the `carried` folders linked into a new generation, then swapped in. */
    readonly replace: (
      out: string,
      tree: Tree,
      carried?: ReadonlyArray<CarriedFolder>,
    ) => Effect.Effect<WriteResult, OutputFailed>
    /** A new generation to write into while rendering (tenant folders streamed to disk), then commit or abort. */
    readonly begin: (out: string) => Effect.Effect<
      {
        readonly write: Generation["write"]
        readonly commit: (
          tree: Tree,
          carried: ReadonlyArray<CarriedFolder>,
          written: ReadonlyArray<WrittenFolder>,
        ) => Effect.Effect<WriteResult, OutputFailed>
        readonly abort: () => Effect.Effect<void>
      },
      OutputFailed
    >
  }
>()("@ppi/synth/output/OutputTree") {
  static readonly layer = Layer.succeed(OutputTree, {
    previous: (out) =>
      attempt(out, async () => {
        const { target } = await currentOutput(out).catch(() => ({}) as { target?: string })
        if (target === undefined) return new Map()
        const generation = join(dirname(out), target)
        return previousOfIndex(generation, await previousIndex(generation))
      }),
    readPrevious: (dir) => attempt(dir, () => readPrevious(dir)),
    replace: (out, tree, carried = []) => attempt(out, () => replaceTree(out, tree, carried)),
    begin: (out) =>
      attempt(out, () => beginGeneration(out)).pipe(
        Effect.map((generation) => ({
          write: generation.write,
          commit: (tree, carried, written) => attempt(out, () => generation.commit(tree, carried, written)),
          // Removing a failed run's generation is best effort: the next run removes leftovers anyway.
          abort: () => Effect.promise(() => generation.abort().catch(() => undefined)),
        })),
      ),
  })
}

const attempt = <A>(path: string, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (error) => new OutputFailed({ path, cause: error }),
  })

const generationsOf = (out: string) => join(dirname(out), `.${basename(out)}.generations`)

const exists = (path: string) =>
  lstat(path).then(
    (stat) => stat,
    () => undefined,
  )

/** Runs `task` over `items` with at most `limit` in flight: a fleet has tens of thousands of files. */
const forEachLimited = async <A>(
  items: ReadonlyArray<A>,
  limit: number,
  task: (item: A) => Promise<void>,
): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as A
      await task(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

const IO_CONCURRENCY = 64

const listFiles = async (root: string): Promise<ReadonlyArray<string>> =>
  (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort()

export const readTree = async (out: string): Promise<Tree> => {
  if ((await exists(out)) === undefined) return new Map()
  const files = await listFiles(out)
  const tree = new Map<string, string>(files.map((file) => [file, ""]))
  await forEachLimited(files, IO_CONCURRENCY, async (file) => {
    tree.set(file, await readFile(join(out, file), "utf8"))
  })
  return tree
}

/**
 * Written beside each generation: per top-level folder, its files and its `synth.metadata` text.
 * The next run decides reuse from this one file (no tenant folder is read), and counts changes
 * by it: a folder of the same input hash holds the same bytes (its render is a function of its
 * inputs), so only folders that differ are ever compared byte by byte.
 */
interface GenerationIndex {
  readonly folders: Readonly<Record<string, { readonly metadata?: string; readonly files: ReadonlyArray<string> }>>
}

/** The previous generation's index; nothing before the first run, or from an older synth (every folder is then re-rendered). */
const previousIndex = async (generation: string | undefined): Promise<GenerationIndex> => {
  if (generation === undefined) return { folders: {} }
  const parsed = JSON.parse(await readFile(`${generation}.manifest.json`, "utf8")) as Partial<GenerationIndex>
  return { folders: typeof parsed.folders === "object" && parsed.folders !== null ? parsed.folders : {} }
}

/** The folders of an index as an earlier output on disk: what `buildTree` decides reuse by. */
const previousOfIndex = (root: string, index: GenerationIndex): PreviousOutput =>
  new Map(
    Object.entries(index.folders).map(([folder, { metadata, files }]) => [
      folder,
      { _tag: "OnDisk", metadata, dir: join(root, folder), paths: files },
    ]),
  )

/**
 * Any folder of manifests (a checkout of the deploy branch) as an earlier output: its files are
 * listed and only each folder's `synth.metadata` is read.
 */
export const readPrevious = async (root: string): Promise<PreviousOutput> => {
  if ((await exists(root)) === undefined) return new Map()
  const byFolder = new Map<string, Array<string>>()
  for (const file of await listFiles(root)) {
    const slash = file.indexOf("/")
    if (slash < 0) continue
    const folder = file.slice(0, slash)
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file.slice(slash + 1)])
  }
  const folders = [...byFolder]
  const metadata = new Map<string, string>()
  await forEachLimited(folders, IO_CONCURRENCY, async ([folder, files]) => {
    if (files.includes(METADATA_FILE)) metadata.set(folder, await readFile(join(root, folder, METADATA_FILE), "utf8"))
  })
  return new Map(
    folders.map(([folder, paths]) => [
      folder,
      { _tag: "OnDisk", metadata: metadata.get(folder), dir: join(root, folder), paths },
    ]),
  )
}

/** A folder of the new output taken over from an earlier one on disk: linked, never read. */
export interface CarriedFolder {
  readonly folder: string
  /** Where its files are now. */
  readonly dir: string
  readonly paths: ReadonlyArray<string>
  readonly metadata: string | undefined
}

/** What `out` holds now: nothing, an earlier synth output (a link into its generations), or an empty folder. */
const currentOutput = async (out: string): Promise<{ readonly target?: string; readonly emptyFolder?: true }> => {
  const current = await exists(out)
  if (current === undefined) return {}
  if (current.isSymbolicLink()) {
    const target = await readlink(out)
    const generation = join(dirname(out), target)
    if (dirname(target) === basename(generationsOf(out)) && (await exists(`${generation}.manifest.json`)) !== undefined)
      return { target }
  } else if (current.isDirectory() && (await readdir(out)).length === 0) return { emptyFolder: true }
  // Never replace what synth did not write: `--out .` or `--out tenants` must not erase a folder.
  throw new Error(
    "exists and is not an output of synth (no generation manifest beside it): refusing to replace it; remove it yourself or choose another --out",
  )
}

/** The index of a new generation: each folder's files and metadata, fresh and carried alike. */
const indexOf = (tree: Tree, carried: ReadonlyArray<WrittenFolder>): GenerationIndex => {
  const folders: Record<string, { metadata?: string; files: Array<string> }> = {}
  for (const [file, content] of tree) {
    const slash = file.indexOf("/")
    const [folder, path] = slash < 0 ? ["", file] : [file.slice(0, slash), file.slice(slash + 1)]
    const entry = folders[folder] ?? { files: [] }
    folders[folder] = entry
    entry.files.push(path)
    if (path === METADATA_FILE) entry.metadata = content
  }
  for (const { folder, paths, metadata } of carried)
    folders[folder] = { files: [...paths], ...(metadata === undefined ? {} : { metadata }) }
  return { folders }
}

const readOrUndefined = (path: string) => readFile(path, "utf8").catch(() => undefined)

/**
 * Files that differ between the previous generation and the new one. Folders rendered from the
 * same inputs (same metadata) hold the same bytes and are compared by their file lists; only the
 * others are read — a run's changes, not the fleet.
 */
const countChanges = async (
  before: { readonly dir: string | undefined; readonly index: GenerationIndex },
  after: { readonly dir: string; readonly index: GenerationIndex },
): Promise<number> => {
  let changed = 0
  const compare: Array<readonly [string, string]> = []
  for (const [folder, { metadata, files }] of Object.entries(after.index.folders)) {
    const old = before.index.folders[folder]
    const oldFiles = new Set(old?.files ?? [])
    const same = old?.metadata !== undefined && old.metadata === metadata
    for (const path of files)
      if (!oldFiles.delete(path)) changed++
      else if (!same) compare.push([folder, path])
    changed += oldFiles.size
  }
  for (const [folder, { files }] of Object.entries(before.index.folders))
    if (after.index.folders[folder] === undefined) changed += files.length
  const { dir } = before
  if (dir === undefined) return changed + compare.length
  await forEachLimited(compare, IO_CONCURRENCY, async ([folder, path]) => {
    const [old, now] = await Promise.all([
      readOrUndefined(join(dir, folder, path)),
      readOrUndefined(join(after.dir, folder, path)),
    ])
    if (old !== now) changed++
  })
  return changed
}

/** Writes a complete generation: fresh files written, carried folders hard-linked from where they are. */
const writeGeneration = async (next: string, tree: Tree, carried: ReadonlyArray<CarriedFolder>) => {
  const linked = carried.flatMap(({ folder, dir, paths }) =>
    paths.map((path) => [join(dir, path), join(folder, path)] as const),
  )
  const folders = new Set([...tree.keys(), ...linked.map(([, file]) => file)].map((file) => dirname(file)))
  await mkdir(next, { recursive: true })
  await forEachLimited([...folders], IO_CONCURRENCY, async (folder) => {
    await mkdir(join(next, folder), { recursive: true })
  })
  await forEachLimited([...tree], IO_CONCURRENCY, async ([file, content]) => {
    await writeFile(join(next, file), content)
  })
  // Linking a file costs far less than creating one; a copy where links cannot be made (another device).
  await forEachLimited(linked, IO_CONCURRENCY, async ([from, file]) => {
    await link(from, join(next, file)).catch(() => copyFile(from, join(next, file)))
  })
}

/** Whether `out` is an output synth wrote (a link to a generation with its manifest). */
export const isSynthOutput = (out: string): Promise<boolean> =>
  currentOutput(out).then(
    ({ target }) => target !== undefined,
    () => false,
  )

/**
 * A new generation being written: tenant folders are written as they are rendered (`write`), so a
 * fleet's output never sits in memory at once; `commit` writes the rest, links the carried folders,
 * writes the index and swaps it in; `abort` removes it. Until the swap, `out` is untouched.
 */
export interface Generation {
  /** Starts writing one folder; a write failure surfaces at `commit`. */
  readonly write: (folder: string, files: ReadonlyMap<string, string>) => void
  readonly commit: (
    tree: Tree,
    carried: ReadonlyArray<CarriedFolder>,
    written: ReadonlyArray<WrittenFolder>,
  ) => Promise<WriteResult>
  readonly abort: () => Promise<void>
}

/** A folder already in the generation (written by `Generation.write`): its paths and metadata. */
export interface WrittenFolder {
  readonly folder: string
  readonly paths: ReadonlyArray<string>
  readonly metadata: string | undefined
}

const beginGeneration = async (out: string): Promise<Generation> => {
  const generations = generationsOf(out)
  const { target: currentTarget, emptyFolder } = await currentOutput(out)
  await mkdir(generations, { recursive: true })
  // A generation not linked from `out` is the leftover of a killed run.
  const keep = (entry: string, id: string | undefined) =>
    id !== undefined && (entry === id || entry === `${id}.manifest.json`)
  for (const stale of await readdir(generations))
    if (!keep(stale, currentTarget === undefined ? undefined : basename(currentTarget)))
      await rm(join(generations, stale), { recursive: true, force: true })
  // What a background delete of an earlier run did not finish.
  for (const entry of await readdir(dirname(out)))
    if (entry.startsWith(`.${basename(out)}.trash-`))
      await rm(join(dirname(out), entry), { recursive: true, force: true })
  const id = `${process.pid}-${Date.now().toString(36)}`
  const next = join(generations, id)
  await mkdir(next, { recursive: true })
  const writes: Array<Promise<void>> = []
  // Kept, not thrown: a write failing while rendering goes on is reported at `commit`.
  let failure: { readonly cause: unknown } | undefined
  const writeFolder = async (folder: string, files: ReadonlyMap<string, string>) => {
    for (const sub of new Set([...files.keys()].map((file) => dirname(join(folder, file)))))
      await mkdir(join(next, sub), { recursive: true })
    await Promise.all([...files].map(([file, content]) => writeFile(join(next, folder, file), content)))
  }
  return {
    write: (folder, files) => {
      writes.push(
        writeFolder(folder, files).catch((cause: unknown) => {
          failure ??= { cause }
        }),
      )
    },
    abort: async () => {
      await Promise.allSettled(writes)
      await rm(next, { recursive: true, force: true })
      // A first run that failed leaves nothing behind.
      if ((await readdir(generations)).length === 0) await rmdir(generations)
    },
    commit: async (tree, carried, written) => {
      await Promise.all(writes)
      if (failure !== undefined) throw failure.cause
      const previous = currentTarget === undefined ? undefined : join(dirname(out), currentTarget)
      const before = await previousIndex(previous)
      const after = indexOf(tree, [...carried, ...written])
      await writeGeneration(next, tree, carried)
      await writeFile(`${next}.manifest.json`, JSON.stringify(after))
      const filesChanged = await countChanges({ dir: previous, index: before }, { dir: next, index: after })

      if (emptyFolder) await rmdir(out)
      const swap = join(dirname(out), `.${basename(out)}.link-${id}`)
      await symlink(join(basename(generations), id), swap)
      await rename(swap, out)
      // The old generation is moved aside at once and deleted in the background: removing 40,000 files
      // is the largest part of a run that changes one tenant, and nobody waits for it.
      const trash = join(dirname(out), `.${basename(out)}.trash-${id}`)
      await mkdir(trash)
      for (const old of await readdir(generations))
        if (!keep(old, id)) await rename(join(generations, old), join(trash, old))
      spawn("rm", ["-rf", trash], { detached: true, stdio: "ignore" }).unref()
      for (const entry of await readdir(dirname(out)))
        if (entry.startsWith(`.${basename(out)}.link-`)) await rm(join(dirname(out), entry), { force: true })
      return { filesChanged }
    },
  }
}

const replaceTree = async (out: string, tree: Tree, carried: ReadonlyArray<CarriedFolder>): Promise<WriteResult> =>
  (await beginGeneration(out)).commit(tree, carried, [])
