import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { decodePlatform, type Platform, type PlatformInput } from "@ppi/config"
import { parseDataFile } from "@ppi/data-file"
import { Effect } from "effect"

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
export const exampleTenantsDir = `${repoRoot}tenants`
export const platformFile = `${repoRoot}synth/platform.ts`
export const synthMain = `${repoRoot}synth/src/main.ts`

/** The example platform file, read as data like every config file (never imported). */
const platformInput = (() => {
  const parsed = parseDataFile(platformFile, readFileSync(platformFile, "utf8"), "platform file")
  if (parsed._tag === "Refused") throw new Error(`${platformFile}: ${JSON.stringify(parsed.problems)}`)
  return parsed.value as PlatformInput
})()

export const platformFor = (overrides: Partial<PlatformInput> = {}): Platform =>
  Effect.runSync(decodePlatform("synth/platform.ts", { ...platformInput, ...overrides }))

export const examplePlatform: Platform = platformFor()
