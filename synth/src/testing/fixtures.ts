import { readFileSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { decodePlatform, PLATFORM_FILE, type Platform, type PlatformInput } from "@ppi/config"
import { parseDataFile } from "@ppi/data-file"
import { Effect } from "effect"

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
export const exampleTenantsDir = `${repoRoot}tenants`
export const platformFile = `${repoRoot}${PLATFORM_FILE}`
export const synthMain = `${repoRoot}synth/src/main.ts`

/** The example platform file, read as data like every config file (never imported). */
export const platformInput = (() => {
  const parsed = parseDataFile(platformFile, readFileSync(platformFile, "utf8"), "platform file")
  if (parsed._tag === "Refused") throw new Error(`${platformFile}: ${JSON.stringify(parsed.problems)}`)
  return parsed.value as PlatformInput
})()

export const platformFor = (overrides: Partial<PlatformInput> = {}): Platform =>
  Effect.runSync(decodePlatform(PLATFORM_FILE, { ...platformInput, ...overrides }))

export const examplePlatform: Platform = platformFor()

/** Writes `platform` as a platform file: one literal, as every platform file is (data, never code). */
export const platformFileText = (platform: unknown): string =>
  `import type { PlatformInput } from "@ppi/config"\n\nexport default ${JSON.stringify(platform, null, 2)} satisfies PlatformInput\n`

/**
 * The repository's platform with shared servers big enough for any fleet, for tests and benchmarks
 * about something other than capacity (the synth refuses a fleet whose tier limits exceed the
 * servers'), optionally verifying domains for the fleet's custom hostnames.
 */
export const roomyPlatformInput = (verified: Readonly<Record<string, ReadonlyArray<string>>> = {}): PlatformInput => {
  const each = <E extends object>(endpoints: Readonly<Record<"selfhosted" | "cloud", E>>, room: object) => ({
    selfhosted: { ...endpoints.selfhosted, ...room },
    cloud: { ...endpoints.cloud, ...room },
  })
  return {
    ...platformInput,
    postgres: each(platformInput.postgres, { maxConnections: 1e9 }),
    redis: each(platformInput.redis, { maxClients: 1e9, maxMemoryMiB: 1e9 }),
    domains: {
      ...platformInput.domains,
      verified: { ...platformInput.domains?.verified, ...verified },
    },
  } as PlatformInput
}

/** Writes the roomy platform file into `dir`; returns its path. */
export const writeRoomyPlatform = async (
  dir: string,
  verified: Readonly<Record<string, ReadonlyArray<string>>> = {},
): Promise<string> => {
  const file = join(dir, "platform.ts")
  await writeFile(file, platformFileText(roomyPlatformInput(verified)))
  return file
}
