import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { formatIssue } from "@ppi/config"
import { Effect } from "effect"
import { readPlatformInput } from "./platform-file.ts"

describe("the platform file, as the cluster program reads it", () => {
  it.effect("is the synth's platform file, read as data", () =>
    Effect.gen(function* () {
      const platform = (yield* readPlatformInput()) as { readonly baseDomain?: string }
      expect(platform.baseDomain).toBe("apps.parametric.dev")
    }),
  )

  it.effect("refuses code in it instead of running it (the program holds cloud credentials)", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ppi-platform-"))
      const file = join(dir, "platform.ts")
      writeFileSync(file, 'export default { baseDomain: process.env.HOME, mode: "selfhosted" }')
      const result = yield* Effect.result(readPlatformInput(file))
      rmSync(dir, { recursive: true, force: true })
      expect(result._tag === "Failure" && result.failure.issues.map(formatIssue)).toEqual([
        "synth/platform.ts:1:30: baseDomain: a member access is not allowed in a platform file: platform files are data",
      ])
    }),
  )

  it.effect("says which file cannot be read, and keeps the file system's error as the cause", () =>
    Effect.gen(function* () {
      const missing = join(tmpdir(), `ppi-platform-${process.pid}-missing.ts`)
      const error = yield* Effect.flip(readPlatformInput(missing))
      expect(error.message).toBe(
        `${missing}: (root): cannot be read: ENOENT: no such file or directory, open '${missing}'`,
      )
      expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOENT")
    }),
  )
})
