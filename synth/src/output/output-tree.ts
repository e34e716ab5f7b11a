import { createHash } from "node:crypto"
import {
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
import { Context, Effect, Layer } from "effect"
import { OutputFailed } from "../errors.ts"

/** A whole output tree: relative path (`acme/app/manifest.yaml`) → content. */
export type Tree = ReadonlyMap<string, string>

export interface WriteResult {
  readonly filesChanged: number
}

/**
 * Replaces an output folder all at once. `out` is a symlink to a complete generation folder
 * next to it; a new generation is written in full, then the link is swapped by rename(2),
 * which is atomic. A run killed at any moment leaves `out` pointing at the old tree or the new
 * one, never at a half-written one. Leftovers of killed runs are removed by the next run.
 */
export class OutputTree extends Context.Service<
  OutputTree,
  {
    readonly read: (out: string) => Effect.Effect<Tree, OutputFailed>
    /** What an earlier run wrote to `out`; nothing when `out` is not (yet) a synth output. */
    readonly previous: (out: string) => Effect.Effect<Tree, OutputFailed>
    readonly replace: (out: string, tree: Tree) => Effect.Effect<WriteResult, OutputFailed>
  }
>()("@ppi/synth/output/OutputTree") {
  static readonly layer = Layer.succeed(OutputTree, {
    read: (out) => attempt(out, () => readTree(out)),
    previous: (out) =>
      attempt(out, async () =>
        (await currentOutput(out).catch(() => ({}) as { target?: string })).target === undefined
          ? new Map()
          : readTree(out),
      ),
    replace: (out, tree) => attempt(out, () => replaceTree(out, tree)),
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

type Manifest = Readonly<Record<string, string>>

const hashOf = (content: string): string => createHash("sha256").update(content).digest("hex")

const manifestOf = (tree: Tree): Manifest =>
  Object.fromEntries([...tree].map(([file, content]) => [file, hashOf(content)]))

const countChanges = (before: Manifest, after: Manifest): number => {
  let changed = 0
  for (const [file, hash] of Object.entries(after)) if (before[file] !== hash) changed++
  for (const file of Object.keys(before)) if (after[file] === undefined) changed++
  return changed
}

/** The previous generation's manifest, written beside it. */
const previousManifest = async (generation: string | undefined): Promise<Manifest> =>
  generation === undefined ? {} : (JSON.parse(await readFile(`${generation}.manifest.json`, "utf8")) as Manifest)

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

/** Whether `out` is an output synth wrote (a link to a generation with its manifest). */
export const isSynthOutput = (out: string): Promise<boolean> =>
  currentOutput(out).then(
    ({ target }) => target !== undefined,
    () => false,
  )

const replaceTree = async (out: string, tree: Tree): Promise<WriteResult> => {
  const generations = generationsOf(out)
  const { target: currentTarget, emptyFolder } = await currentOutput(out)
  await mkdir(generations, { recursive: true })
  // A generation not linked from `out` is the leftover of a killed run.
  const keep = (entry: string, id: string | undefined) =>
    id !== undefined && (entry === id || entry === `${id}.manifest.json`)
  for (const stale of await readdir(generations))
    if (!keep(stale, currentTarget === undefined ? undefined : basename(currentTarget)))
      await rm(join(generations, stale), { recursive: true, force: true })

  const previous = currentTarget === undefined ? undefined : join(dirname(out), currentTarget)
  const before = await previousManifest(previous)
  const after = manifestOf(tree)
  const id = `${process.pid}-${Date.now().toString(36)}`
  const next = join(generations, id)
  const folders = new Set([...tree.keys()].map((file) => dirname(file)))
  await mkdir(next, { recursive: true })
  await forEachLimited([...folders], IO_CONCURRENCY, async (folder) => {
    await mkdir(join(next, folder), { recursive: true })
  })
  // An unchanged file is hard-linked from the previous generation: creating a file costs far
  // more than linking one, and a typical run changes a handful of a fleet's files.
  await forEachLimited([...tree], IO_CONCURRENCY, async ([file, content]) => {
    if (previous !== undefined && before[file] === after[file])
      await link(join(previous, file), join(next, file)).catch(() => writeFile(join(next, file), content))
    else await writeFile(join(next, file), content)
  })
  await writeFile(`${next}.manifest.json`, JSON.stringify(after))

  if (emptyFolder) await rmdir(out)
  const swap = join(dirname(out), `.${basename(out)}.link-${id}`)
  await symlink(join(basename(generations), id), swap)
  await rename(swap, out)
  for (const old of await readdir(generations))
    if (!keep(old, id)) await rm(join(generations, old), { recursive: true, force: true })
  for (const entry of await readdir(dirname(out)))
    if (entry.startsWith(`.${basename(out)}.link-`)) await rm(join(dirname(out), entry), { force: true })
  return { filesChanged: countChanges(before, after) }
}
