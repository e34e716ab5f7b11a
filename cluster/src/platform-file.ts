import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { InvalidConfig, PLATFORM_FILE } from "@ppi/config"
import { parseDataFile } from "@ppi/data-file"
import { Effect } from "effect"

/** The platform file synth reads: the one description of the environment, shared with the cluster. */
export const PLATFORM_PATH = fileURLToPath(new URL(`../../${PLATFORM_FILE}`, import.meta.url))

/** The platform file's value, read as data exactly as synth reads it: parsed, never imported or run. */
export const readPlatformInput = (path = PLATFORM_PATH): Effect.Effect<unknown, InvalidConfig> =>
  Effect.gen(function* () {
    const text = yield* Effect.try({
      try: () => readFileSync(path, "utf8"),
      catch: (cause) =>
        new InvalidConfig({
          issues: [
            { file: path, path: "", message: `cannot be read: ${cause instanceof Error ? cause.message : cause}` },
          ],
          cause,
        }),
    })
    const parsed = parseDataFile(PLATFORM_FILE, text, "platform file")
    if (parsed._tag === "Data") return parsed.value
    return yield* new InvalidConfig({
      issues: parsed.problems.map(({ line, column, path: field, message }) => ({
        file: PLATFORM_FILE,
        path: field,
        message,
        location: { line, column },
      })),
    })
  })
