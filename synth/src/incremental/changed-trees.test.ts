import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TenantFiles } from "../load/tenant-files.ts"
import { readTree, type Tree } from "../output/output-tree.ts"
import { buildTree } from "../synth.ts"
import { platformFor, roomyPlatformInput } from "../testing/fixtures.ts"
import { readChangedTrees } from "./changed-trees.ts"

const render = (tenants: Record<string, unknown>) =>
  Effect.runPromise(
    buildTree("-", platformFor(roomyPlatformInput())).pipe(Effect.provide(TenantFiles.fromValues(tenants))),
  ).then(({ tree }) => tree)

const write = async (dir: string, tree: Tree) => {
  for (const [file, content] of tree) {
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await writeFile(join(dir, file), content)
  }
}

let work = ""
let before: Tree = new Map()
let after: Tree = new Map()
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ppi-changed-"))
  before = await render({
    "acme.ts": { name: "acme", tier: "free" },
    "globex.ts": { name: "globex", tier: "free" },
    "gone.ts": { name: "gone", tier: "free" },
  })
  after = await render({
    "acme.ts": { name: "acme", tier: "pro" },
    "globex.ts": { name: "globex", tier: "free" },
    "wayne.ts": { name: "wayne", tier: "free" },
  })
  await write(join(work, "before"), new Map([...before, ["README.md", "deploy branch\n"]]))
  await write(join(work, "after"), after)
}, 120_000)
afterAll(() => rm(work, { recursive: true, force: true }))

const folderOf = (tree: Tree, folder: string) =>
  [...tree].filter(([file]) => file.startsWith(`${folder}/`)).sort(([a], [b]) => (a < b ? -1 : 1))

describe("readChangedTrees", () => {
  it("reads in full every folder that differs, and an unchanged one as its metadata alone", async () => {
    const trees = await readChangedTrees(join(work, "before"), join(work, "after"))
    for (const folder of ["acme", "gone", "wayne", "_platform"]) {
      expect(folderOf(trees.before, folder)).toEqual(folderOf(before, folder))
      expect(folderOf(trees.after, folder)).toEqual(folderOf(after, folder))
    }
    expect(folderOf(trees.before, "globex").map(([file]) => file)).toEqual(["globex/synth.metadata"])
    expect(folderOf(trees.after, "globex")).toEqual(folderOf(trees.before, "globex"))
    expect(trees.before.get("README.md")).toBe("deploy branch\n")
  })

  it("never reads a folder whose metadata is the same on both sides", async () => {
    // Bytes under an unchanged metadata cannot differ from a render; proof that they are not read at all.
    await writeFile(join(work, "after", "globex", "app", "manifest.yaml"), "not read\n")
    const trees = await readChangedTrees(join(work, "before"), join(work, "after"))
    expect((await readTree(join(work, "after", "globex"))).get("app/manifest.yaml")).toBe("not read\n")
    expect([...trees.after.values()]).not.toContain("not read\n")
  })
})
