import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface Measurement {
  readonly seconds: number
  readonly maxRssMiB: number
}

const TIME = "/usr/bin/time"

/** GNU time (Debian's `time` package) gives the whole process tree's peak RSS. */
export const ensureGnuTime = (): void => {
  if (existsSync(TIME)) return
  execFileSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time"], {
    stdio: "inherit",
  })
}

/** Runs a command to completion, measuring wall time and peak RSS; fails on a non-zero exit. */
export const measure = (command: string, args: ReadonlyArray<string>, cwd?: string): Promise<Measurement> =>
  new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), "ppi-time-"))
    const report = join(dir, "time")
    const started = process.hrtime.bigint()
    const child = spawn(TIME, ["-f", "%M", "-o", report, command, ...args], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("exit", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const rssKiB = Number(readFileSync(report, "utf8").trim().split("\n").at(-1))
      rmSync(dir, { recursive: true, force: true })
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`))
      else resolve({ seconds, maxRssMiB: rssKiB / 1024 })
    })
  })

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/** Runs `times` measurements and keeps the median time and the largest RSS. */
export const repeat = async (
  times: number,
  run: () => Promise<Measurement>,
): Promise<Measurement & { readonly runs: ReadonlyArray<number> }> => {
  const results: Array<Measurement> = []
  for (let i = 0; i < times; i++) results.push(await run())
  return {
    seconds: median(results.map((r) => r.seconds)),
    maxRssMiB: Math.max(...results.map((r) => r.maxRssMiB)),
    runs: results.map((r) => r.seconds),
  }
}
