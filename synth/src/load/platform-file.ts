import { relative } from "node:path"
import { pathToFileURL } from "node:url"
import { decodePlatform, InvalidConfig, type Platform } from "@ppi/config"
import { Effect } from "effect"

/** Loads and decodes the platform file (`synth/platform.ts` by default). */
export const loadPlatform = (path: string): Effect.Effect<Platform, InvalidConfig> => {
  const file = relative(process.cwd(), path) || path
  return Effect.tryPromise({
    try: () => import(pathToFileURL(path).href) as Promise<{ readonly default?: unknown }>,
    catch: (error) =>
      new InvalidConfig({ issues: [{ file, path: "", message: `cannot load the platform file: ${String(error)}` }] }),
  }).pipe(Effect.flatMap((module) => decodePlatform(file, module.default)))
}
