import { cpSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { SYNTH_INPUTS, synthCodeHash, synthVersion } from "./synth-version.ts"

const root = new URL("../../../", import.meta.url).pathname // the repository

/** A copy of the synth's inputs, to change one file at a time. */
const copy = () => {
  const dir = mkdtempSync(join(tmpdir(), "ppi-synth-version-"))
  for (const path of SYNTH_INPUTS) cpSync(join(root, path), join(dir, path), { recursive: true })
  return dir
}

describe("the synth version", () => {
  it("is the package version plus a hash of the synth code and the lockfile", async () => {
    expect(await synthVersion(root)).toMatch(/^@ppi\/synth@\d+\.\d+\.\d+\+[0-9a-f]{12}$/)
    const dir = copy()
    expect(await synthCodeHash(dir)).toBe(await synthCodeHash(root))
  })

  it.each([
    ["synth/src/factory/tier-plan.ts", "synth code"],
    ["packages/config/src/tiers.ts", "code synth imports"],
    ["pnpm-lock.yaml", "the lockfile"],
  ])("changes when %s (%s) changes", async (file) => {
    const dir = copy()
    const before = await synthCodeHash(dir)
    writeFileSync(join(dir, file), "// changed\n", { flag: "a" })
    expect(await synthCodeHash(dir)).not.toBe(before)
  })

  it("does not change with a test file", async () => {
    const dir = copy()
    const before = await synthCodeHash(dir)
    writeFileSync(join(dir, "synth/src/new-thing.test.ts"), "// a test\n")
    expect(await synthCodeHash(dir)).toBe(before)
  })
})
