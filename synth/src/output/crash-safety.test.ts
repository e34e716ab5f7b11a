import { spawn } from "node:child_process"
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { synthMain, writeRoomyPlatform } from "../testing/fixtures.ts"
import { readTree, type Tree } from "./output-tree.ts"

/** Runs the real CLI; resolves with its exit code, or "killed" when SIGKILLed after `killAfterMs`. */
const runSynth = (tenants: string, out: string, killAfterMs?: number) =>
  new Promise<number | "killed">((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--disable-warning=ExperimentalWarning",
        synthMain,
        "--tenants",
        tenants,
        "--out",
        out,
        "--platform",
        platformFile,
      ],
      {
        stdio: "ignore",
      },
    )
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs)
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      resolve(signal === "SIGKILL" ? "killed" : (code ?? -1))
    })
  })

const writeTenants = async (dir: string, count: number, tier: string) => {
  await mkdir(dir, { recursive: true })
  for (let i = 0; i < count; i++)
    await writeFile(join(dir, `t${i}.ts`), `export default { name: "t${i}", tier: "${tier}" }\n`)
}

const same = (a: Tree, b: Tree) => a.size === b.size && [...a].every(([file, content]) => b.get(file) === content)

let work = ""
let platformFile = ""
const trees: Record<"a" | "b", Tree> = { a: new Map(), b: new Map() }
let fullRunMs = 0

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ppi-crash-"))
  platformFile = await writeRoomyPlatform(work)
  await writeTenants(join(work, "a"), 40, "free")
  await writeTenants(join(work, "b"), 30, "pro")
  for (const set of ["a", "b"] as const) {
    const started = Date.now()
    expect(await runSynth(join(work, set), join(work, `reference-${set}`))).toBe(0)
    fullRunMs = Math.max(fullRunMs, Date.now() - started)
    trees[set] = await readTree(join(work, `reference-${set}`))
  }
  expect(await runSynth(join(work, "a"), join(work, "out"))).toBe(0)
}, 120_000)
afterAll(() => rm(work, { recursive: true, force: true }))

describe("a synth killed at any moment", () => {
  it("leaves the output folder fully old or fully new, never anything in between", async () => {
    let current: "a" | "b" = "a"
    const outcomes = { old: 0, new: 0 }
    // 16 rounds spread over one measured run; on a busy machine runs get slower than measured, so
    // keep going (up to 48 rounds) until kills have landed both before and after the swap.
    for (let round = 0; round < 48 && (round < 16 || outcomes.old === 0 || outcomes.new === 0); round++) {
      const target: "a" | "b" = current === "a" ? "b" : "a"
      // Spread the kills over the whole run, start-up and the final swap included; past the first
      // 16 rounds, kill later and later until a run gets through, or early until one is stopped.
      const killAt =
        round < 16
          ? Math.round(((round + Math.random()) / 16) * fullRunMs * 1.1)
          : outcomes.new === 0
            ? Math.round(fullRunMs * (1 + (round - 15) * 0.5))
            : Math.round(Math.random() * fullRunMs * 0.5)
      const started = Date.now()
      const exit = await runSynth(join(work, target), join(work, "out"), killAt)
      if (exit !== "killed") fullRunMs = Math.max(fullRunMs, Date.now() - started)
      const tree = await readTree(join(work, "out"))
      const isOld = same(tree, trees[current])
      const isNew = same(tree, trees[target])
      expect(isOld || isNew, `round ${round}, killed after ${killAt} ms`).toBe(true)
      outcomes[isNew ? "new" : "old"]++
      if (isNew) current = target
    }
    // Both outcomes happened: kills landed before and after the swap.
    expect(outcomes.old).toBeGreaterThan(0)
    expect(outcomes.new).toBeGreaterThan(0)
  }, 600_000)

  it("cleans up what killed runs left behind on the next successful run", async () => {
    expect(await runSynth(join(work, "a"), join(work, "out"))).toBe(0)
    // The current generation and its manifest, nothing else.
    expect(
      (await readdir(join(work, ".out.generations")))
        .map((entry) => entry.replace(/^[\w-]+?(\.manifest\.json)?$/, "gen$1"))
        .sort(),
    ).toEqual(["gen", "gen.manifest.json"])
    expect((await readdir(work)).filter((entry) => entry.startsWith(".out.link-"))).toEqual([])
    expect(same(await readTree(join(work, "out")), trees.a)).toBe(true)
  })
})
