import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { OutputTree, readTree, type Tree } from "./output-tree.ts"

let work = ""
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "ppi-tree-"))
})
afterEach(() => rm(work, { recursive: true, force: true }))

const replace = (out: string, tree: Tree) =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* (yield* OutputTree).replace(out, tree)
    }).pipe(Effect.provide(OutputTree.layer)),
  )

const a: Tree = new Map([
  ["acme/app/a.yaml", "a: 1\n"],
  ["acme/app/b.yaml", "b: 1\n"],
  ["gone/app/c.yaml", "c: 1\n"],
])
const b: Tree = new Map([
  ["acme/app/a.yaml", "a: 1\n"],
  ["acme/app/b.yaml", "b: 2\n"],
  ["new/app/d.yaml", "d: 1\n"],
])

describe("OutputTree", () => {
  it("gives the same bytes whether unchanged files are linked from the previous generation or written fresh", async () => {
    await replace(join(work, "out"), a)
    const incremental = await replace(join(work, "out"), b)
    await replace(join(work, "fresh"), b)
    expect(await readTree(join(work, "out"))).toEqual(await readTree(join(work, "fresh")))
    expect(await readTree(join(work, "out"))).toEqual(b)
    // b changed, c removed, d added.
    expect(incremental.filesChanged).toBe(3)
  })

  it("refuses to replace a folder it did not write, and leaves every byte of it", async () => {
    await replace(join(work, "seed"), a)
    const plain = join(work, "out")
    await cp(join(work, "seed"), plain, { recursive: true, dereference: true })
    await writeFile(join(plain, "acme/app/b.yaml"), "edited\n")
    const result = await Effect.runPromise(
      Effect.result(
        Effect.gen(function* () {
          return yield* (yield* OutputTree).replace(plain, a)
        }).pipe(Effect.provide(OutputTree.layer)),
      ),
    )
    expect(result._tag === "Failure" && result.failure.message).toMatch(/out: exists and is not an output of synth/)
    expect(await readFile(join(plain, "acme/app/b.yaml"), "utf8")).toBe("edited\n")
  })
})
