import { writeFile } from "node:fs/promises"
import { join } from "node:path"
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

/**
 * Writes, into `dir`, a platform file that is the repository's with shared servers big enough for
 * any test fleet, for tests about something other than capacity (the synth refuses a fleet whose
 * tier limits exceed the servers'). Returns its path.
 */
export const writeRoomyPlatform = async (dir: string): Promise<string> => {
  const file = join(dir, "platform.ts")
  await writeFile(
    file,
    `import base from ${JSON.stringify(platformFile)}
const each = (endpoints, room) => Object.fromEntries(Object.entries(endpoints).map(([mode, e]) => [mode, { ...e, ...room }]))
export default {
  ...base,
  postgres: each(base.postgres, { maxConnections: 1e9 }),
  redis: each(base.redis, { maxClients: 1e9, maxMemoryMiB: 1e9 }),
}
`,
  )
  return file
}
