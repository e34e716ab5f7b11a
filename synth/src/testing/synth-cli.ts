import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { platformFile, synthMain } from "./fixtures.ts"

const run = promisify(execFile)

/** The real CLI, as `pnpm synth --tenants tenants --out OUT` runs it in `cwd`: its exit code and output. */
export const synthCli = (
  cwd: string,
  out = "out",
  ...extra: ReadonlyArray<string>
): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }> =>
  run(
    process.execPath,
    [
      "--disable-warning=ExperimentalWarning",
      synthMain,
      "--tenants",
      "tenants",
      "--out",
      out,
      "--platform",
      platformFile,
      ...extra,
    ],
    { cwd },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  )
