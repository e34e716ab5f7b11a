import { existsSync, readdirSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The folder of the `npx` and `gh` stand-ins a step finds first on its PATH (README.md). */
export const STAND_INS = fileURLToPath(new URL("./bin", import.meta.url))

export interface StandInTools {
  /** The pnpm version the workflows pin; the npx stand-in refuses any other. */
  readonly pnpmVersion: string
  /** pnpm's entry script (pnpm.cjs) of that version, already on this machine. */
  readonly pnpmScript: string
  /** The Node that runs pnpm (npx's own on a runner). */
  readonly node: string
  /** A checkout whose node_modules were installed from the same lockfile. */
  readonly installed: string
}

/** The environment the stand-ins read. */
export const standInEnv = (tools: StandInTools, artifacts: string): Readonly<Record<string, string>> => ({
  PPI_PNPM_VERSION: tools.pnpmVersion,
  PPI_PNPM_JS: tools.pnpmScript,
  PPI_NODE: tools.node,
  PPI_INSTALLED: tools.installed,
  PPI_ARTIFACTS: artifacts,
})

/** pnpm of exactly this version in npx's cache (where `npx -y pnpm@…` put it when this checkout was installed). */
export const findCachedPnpm = (version: string): string | undefined => {
  const cache = join(homedir(), ".npm", "_npx")
  if (!existsSync(cache)) return undefined
  for (const entry of readdirSync(cache)) {
    const root = join(cache, entry, "node_modules", "pnpm")
    const manifest = join(root, "package.json")
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version === version
    )
      return join(root, "bin", "pnpm.cjs")
  }
  return undefined
}
