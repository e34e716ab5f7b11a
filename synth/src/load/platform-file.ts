import { relative } from "node:path"
import { decodePlatform, type InvalidConfig, type Platform } from "@ppi/config"
import { Effect } from "effect"
import { MAX_PLATFORM_FILE_BYTES, parseDataSource, readDataSource } from "./data-source.ts"

/** Reads and decodes the platform file (`PLATFORM_FILE` by default): parsed as data, never run. */
export const loadPlatform = (path: string): Effect.Effect<Platform, InvalidConfig> => {
  const file = relative(process.cwd(), path) || path
  return readDataSource(path, file, MAX_PLATFORM_FILE_BYTES).pipe(
    Effect.flatMap((text) => parseDataSource(file, text, "platform file")),
    Effect.flatMap((value) => decodePlatform(file, value)),
  )
}
