import { execFile } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { fleet, writeFleet } from "../fleet.ts"

const script = new URL("./parse-tenant-files.ts", import.meta.url).pathname
const run = promisify(execFile)
const parse = (dir: string) => run(process.execPath, ["--disable-warning=ExperimentalWarning", script, dir])

describe("the parse baseline pnpm bench reports for 10,000 tenant files", () => {
  it("prints the parse and the parser-load seconds of 10,000 generated files, as two numbers", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ppi-parse-"))
    try {
      await writeFleet(dir, fleet(10_000))
      const { stdout } = await parse(dir)
      const seconds = stdout.trim().split(" ").map(Number)
      expect(seconds).toHaveLength(2)
      for (const value of seconds) expect(value).toBeGreaterThan(0)
      expect(seconds.every(Number.isFinite)).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it("fails instead of timing a file it refuses", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ppi-parse-"))
    try {
      await writeFleet(dir, fleet(3))
      await writeFile(join(dir, "zz-code.ts"), 'export default { name: "zz-code", tier: process.env.TIER }\n')
      await expect(parse(dir)).rejects.toMatchObject({
        stderr: expect.stringContaining("1 generated tenant files were refused"),
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
