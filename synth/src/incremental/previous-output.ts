import { METADATA_FILE } from "@ppi/config"

/**
 * One folder of an earlier output, as much of it as deciding reuse needs: its `synth.metadata`
 * and the paths of its files. Its files' bytes are either at hand (a tree in memory: publish's
 * checkout of the deploy head) or left on disk, to be linked from there and never read — a run
 * that changes one tenant of 10,000 then reads one metadata index, not 40,000 files.
 */
export type PreviousFolder =
  | {
      readonly _tag: "InMemory"
      readonly metadata: string | undefined
      /** Path within the folder → content. */
      readonly files: ReadonlyMap<string, string>
    }
  | {
      readonly _tag: "OnDisk"
      readonly metadata: string | undefined
      /** The folder itself. */
      readonly dir: string
      /** Paths within the folder. */
      readonly paths: ReadonlyArray<string>
    }

/** An earlier output by top-level folder (a tenant's name, or `_platform`). */
export type PreviousOutput = ReadonlyMap<string, PreviousFolder>

/** A whole tree in memory (relative path → content), by folder; files outside any folder are not reusable. */
export const previousFromTree = (tree: ReadonlyMap<string, string>): PreviousOutput => {
  const folders = new Map<string, Map<string, string>>()
  for (const [file, content] of tree) {
    const slash = file.indexOf("/")
    if (slash < 0) continue
    const folder = file.slice(0, slash)
    const files = folders.get(folder) ?? new Map<string, string>()
    folders.set(folder, files)
    files.set(file.slice(slash + 1), content)
  }
  return new Map(
    [...folders].map(([name, files]) => [name, { _tag: "InMemory", metadata: files.get(METADATA_FILE), files }]),
  )
}

/** The paths within a previous folder. */
export const pathsOf = (folder: PreviousFolder): ReadonlyArray<string> =>
  folder._tag === "InMemory" ? [...folder.files.keys()] : folder.paths
