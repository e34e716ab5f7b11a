import { relative } from "node:path"
import { decodePlatform, type InvalidConfig, type Platform } from "@ppi/config"
import { Effect } from "effect"
import { MAX_PLATFORM_FILE_BYTES, parseDataSource, readDataSource } from "./read-data-source.ts"

/** Reads and decodes the platform file, keeping its text (an input of every tenant's render). */
export const loadPlatformSource = (
  path: string,
): Effect.Effect<{ readonly platform: Platform; readonly text: string }, InvalidConfig> => {
  const file = relative(process.cwd(), path) || path
  return readDataSource(path, file, MAX_PLATFORM_FILE_BYTES).pipe(
    Effect.flatMap((text) =>
      parseDataSource(file, text, "platform file").pipe(
        Effect.flatMap((value) => decodePlatform(file, value)),
        Effect.map((platform) => ({ platform, text })),
      ),
    ),
  )
}

/** Reads and decodes the platform file (`PLATFORM_FILE` by default): parsed as data, never run. */
export const loadPlatform = (path: string): Effect.Effect<Platform, InvalidConfig> =>
  loadPlatformSource(path).pipe(Effect.map(({ platform }) => platform))
