import { spawnSync } from "node:child_process"
import { describe, expect, it } from "@effect/vitest"

const main = new URL("./main.ts", import.meta.url).pathname
const bench = (...args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", main, ...args], { encoding: "utf8" })

describe("pnpm bench's command line", () => {
  it("prints its usage with --help and exits 0, running nothing", () => {
    const run = bench("--help")
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^usage: bench \[N …\] \[--runs R\]/)
    expect(run.stderr).toBe("")
  })

  it.each([["--nope"], ["abc"], ["100", "--runs", "0"]])(
    "answers %s with one line and the usage, exit 2",
    (...args) => {
      const run = bench(...args)
      expect(run.status).toBe(2)
      expect(run.stderr).toContain("usage: bench")
      expect(run.stderr).not.toContain("    at ")
    },
  )
})
