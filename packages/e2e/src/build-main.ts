import { Effect } from "effect"
import { ensureAll } from "./upstream/binary-cache.ts"

/** `pnpm build:upstream`: every pinned upstream binary, built once into the cache; prints what it took. */
const report = await Effect.runPromiseExit(ensureAll)
if (report._tag === "Failure") {
  process.stderr.write(`${String(report.cause)}\n`)
  process.exit(1)
}
for (const binary of report.value)
  process.stdout.write(
    `${binary.name.padEnd(24)} ${binary.version.padEnd(9)} ${binary.built ? "built" : "cached"} (cold build ${binary.buildSeconds ?? "?"} s) ${binary.path}\n`,
  )
