import { constants } from "node:fs"
import { open } from "node:fs/promises"
import { type ConfigIssue, InvalidConfig } from "@ppi/config"
import { Effect } from "effect"
import { type DataValue, parseDataFile } from "./parse-data-file.ts"

/** A tenant file is a small object: a huge one is a mistake (or an attack), not a tenant. */
export const MAX_DATA_FILE_BYTES = 64 * 1024
/** The platform file grows with the fleet (verified domains per tenant), so it gets more room. */
export const MAX_PLATFORM_FILE_BYTES = 4 * 1024 * 1024

const refused = (file: string, message: string, cause?: unknown) =>
  new InvalidConfig({ issues: [{ file, path: "", message }], cause })

const unreadable = (file: string, cause: unknown) =>
  refused(file, `cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, cause)

/**
 * The text of a config file: a regular file, never followed through a symbolic link (a tenant
 * file linked to `/proc/self/environ` would put the machine's environment into the output), of
 * bounded size (checked before reading, so `/dev/zero`-like files cannot exhaust memory).
 */
export const readDataSource = (
  path: string,
  file: string,
  maxBytes = MAX_DATA_FILE_BYTES,
): Effect.Effect<string, InvalidConfig> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({
      try: () => open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK),
      catch: (error) =>
        (error as NodeJS.ErrnoException).code === "ELOOP"
          ? refused(file, "is a symbolic link: config files must be regular files", error)
          : unreadable(file, error),
    }),
    (handle) =>
      Effect.gen(function* () {
        const stat = yield* Effect.tryPromise({
          try: () => handle.stat(),
          catch: (error) => unreadable(file, error),
        })
        if (!stat.isFile()) return yield* refused(file, "is not a regular file")
        if (stat.size > maxBytes)
          return yield* refused(file, `file is larger than ${maxBytes / 1024} KiB; a config file is a small object`)
        const text = yield* Effect.tryPromise({
          try: () => handle.readFile("utf8"),
          catch: (error) => unreadable(file, error),
        })
        if (text.trim() === "") return yield* refused(file, "file is empty: it must default-export an object")
        return text
      }),
    (handle) => Effect.promise(() => handle.close()),
  )

/** The default export of a data file, read statically: nothing in it is ever executed. */
export const parseDataSource = (
  file: string,
  text: string,
  what: "tenant file" | "platform file",
): Effect.Effect<DataValue, InvalidConfig> => {
  const result = parseDataFile(file, text, what)
  if (result._tag === "Data") return Effect.succeed(result.value)
  const issues: ReadonlyArray<ConfigIssue> = result.problems.map(({ line, column, path, message }) => ({
    file,
    path,
    message,
    location: { line, column },
  }))
  return Effect.fail(new InvalidConfig({ issues }))
}
