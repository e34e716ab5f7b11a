import { createHash } from "node:crypto"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"

/** What the synth's output depends on: its code, the code it imports, and the locked dependencies. */
export const SYNTH_INPUTS = [
  "synth/src",
  "packages/config/src",
  "packages/data-file/src",
  "packages/policy/src",
  "packages/dataplane/src",
  "synth/package.json",
  "pnpm-lock.yaml",
] as const

// Tests and golden files do not change what synth renders.
const isInput = (path: string) => !/\.test\.ts$|__golden__|\/testing\//.test(path)

const filesUnder = async (root: string, path: string): Promise<ReadonlyArray<string>> => {
  const entries = await readdir(join(root, path), { withFileTypes: true }).catch(() => undefined)
  if (entries === undefined) return [path]
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? filesUnder(root, join(path, entry.name)) : Promise.resolve([join(path, entry.name)]),
    ),
  )
  return nested.flat()
}

/** sha256 over the sorted paths and contents of the synth's inputs: any change to what renders changes it. */
export const synthCodeHash = async (root: string): Promise<string> => {
  const hash = createHash("sha256")
  const files = (await Promise.all(SYNTH_INPUTS.map((path) => filesUnder(root, path)))).flat().filter(isInput).sort()
  for (const file of files) {
    const content = await readFile(join(root, file)).catch(() => undefined)
    if (content === undefined) continue
    hash.update(`${file}\0${content.length}\0`).update(content)
  }
  return hash.digest("hex")
}

/** `@ppi/synth@0.1.0+3f2a…`: the package version plus the short hash of the code that rendered. */
export const synthVersion = async (root: string): Promise<string> => {
  const manifest = JSON.parse(await readFile(join(root, "synth/package.json"), "utf8")) as { version?: string }
  return `@ppi/synth@${manifest.version ?? "0.0.0"}+${(await synthCodeHash(root)).slice(0, 12)}`
}
