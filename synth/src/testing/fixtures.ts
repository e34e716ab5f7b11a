import { fileURLToPath } from "node:url"
import { decodePlatform, type Platform, type PlatformInput } from "@ppi/config"
import { Effect } from "effect"
import platformInput from "../../platform.ts"

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
export const exampleTenantsDir = `${repoRoot}tenants`
export const platformFile = `${repoRoot}synth/platform.ts`
export const synthMain = `${repoRoot}synth/src/main.ts`

export const platformFor = (overrides: Partial<PlatformInput> = {}): Platform =>
  Effect.runSync(decodePlatform("synth/platform.ts", { ...platformInput, ...overrides }))

export const examplePlatform: Platform = platformFor()
