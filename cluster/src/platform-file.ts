import { fileURLToPath } from "node:url"
import { type InvalidConfig, PLATFORM_FILE } from "@ppi/config"
import { MAX_PLATFORM_FILE_BYTES, parseDataSource, readDataSource } from "@ppi/data-file/source"
import { Effect } from "effect"

/** The platform file synth reads: the one description of the environment, shared with the cluster. */
export const PLATFORM_PATH = fileURLToPath(new URL(`../../${PLATFORM_FILE}`, import.meta.url))

/**
 * The platform file's value, read by the loader synth uses (no symbolic links, bounded size) and
 * parsed as data: never imported or run. Decoding is the cluster config's job.
 */
export const readPlatformInput = (path = PLATFORM_PATH): Effect.Effect<unknown, InvalidConfig> =>
  readDataSource(path, path, MAX_PLATFORM_FILE_BYTES).pipe(
    Effect.flatMap((text) => parseDataSource(PLATFORM_FILE, text, "platform file")),
  )
