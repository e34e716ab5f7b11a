import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { METADATA_FILE } from "@ppi/config"
import { readTree, type Tree } from "../output/output-tree.ts"

const folderNames = async (root: string): Promise<ReadonlyArray<string>> =>
  (await readdir(root, { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
    .map((entry) => entry.name)

const metadataOf = (root: string, folder: string) =>
  readFile(join(root, folder, METADATA_FILE), "utf8").catch(() => undefined)

const withPrefix = (folder: string, tree: Tree): ReadonlyArray<readonly [string, string]> =>
  [...tree].map(([file, content]) => [`${folder}/${file}`, content])

/**
 * Two outputs (a checkout of the deploy branch, a PR's synth) for comparing: a folder whose
 * `synth.metadata` is the same on both sides was rendered from the same inputs, so holds the same
 * bytes — it is represented by that metadata file alone, and nothing else of it is read. Every other
 * folder (changed, added, removed, or without metadata such as `_platform`) is read in full. A diff of
 * one changed tenant in a fleet of 10,000 reads one tenant, not the fleet.
 */
export const readChangedTrees = async (
  beforeDir: string,
  afterDir: string,
): Promise<{ readonly before: Tree; readonly after: Tree }> => {
  const [beforeFolders, afterFolders] = await Promise.all([folderNames(beforeDir), folderNames(afterDir)])
  const [beforeSet, afterSet] = [new Set(beforeFolders), new Set(afterFolders)]
  // Files at the top of the tree (no folder: the deploy branch's README) are few: read on both sides.
  const [before, after] = await Promise.all([topFiles(beforeDir, beforeSet), topFiles(afterDir, afterSet)])
  const folders = [...new Set([...beforeFolders, ...afterFolders])]
  let next = 0
  const compareFolders = async () => {
    while (next < folders.length) {
      const folder = folders[next++] as string
      const [old, now] = await Promise.all([
        beforeSet.has(folder) ? metadataOf(beforeDir, folder) : undefined,
        afterSet.has(folder) ? metadataOf(afterDir, folder) : undefined,
      ])
      if (old !== undefined && old === now) {
        before.push([`${folder}/${METADATA_FILE}`, old])
        after.push([`${folder}/${METADATA_FILE}`, now])
        continue
      }
      const [oldTree, newTree] = await Promise.all([
        readTree(join(beforeDir, folder)),
        readTree(join(afterDir, folder)),
      ])
      before.push(...withPrefix(folder, oldTree))
      after.push(...withPrefix(folder, newTree))
    }
  }
  await Promise.all(Array.from({ length: IO_CONCURRENCY }, compareFolders))
  return { before: sorted(before), after: sorted(after) }
}

const IO_CONCURRENCY = 64

const sorted = (entries: ReadonlyArray<readonly [string, string]>): Tree =>
  new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const topFiles = async (root: string, folders: ReadonlySet<string>): Promise<Array<readonly [string, string]>> =>
  Promise.all(
    (await readdir(root, { withFileTypes: true }).catch(() => []))
      .filter((entry) => !folders.has(entry.name) && entry.isFile())
      .map(async (entry) => [entry.name, await readFile(join(root, entry.name), "utf8")] as const),
  )
