import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { dirname, join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TenantFiles } from "./load/tenant-files.ts"
import { buildTree } from "./synth.ts"
import { examplePlatform, exampleTenantsDir } from "./testing/fixtures.ts"

// Reviewed output of the example tenants. `pnpm golden` rewrites it (UPDATE_GOLDEN=1); review the diff.
const goldenDir = new URL("./__golden__/", import.meta.url).pathname
const updating = process.env.UPDATE_GOLDEN === "1"

const listGolden = async (): Promise<ReadonlyArray<string>> =>
  (await readdir(goldenDir, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(goldenDir, join(entry.parentPath, entry.name)))
    .sort()

const { tree } = await Effect.runPromise(
  buildTree(exampleTenantsDir, examplePlatform).pipe(Effect.provide(TenantFiles.layer)),
)

if (updating) {
  await rm(goldenDir, { recursive: true, force: true })
  for (const [file, content] of tree) {
    await mkdir(dirname(join(goldenDir, file)), { recursive: true })
    await writeFile(join(goldenDir, file), content)
  }
}

describe("golden output of the example tenants", () => {
  it("has exactly the golden files", async () => {
    expect([...tree.keys()].sort()).toEqual(await listGolden())
  })

  it.each([...tree.keys()].sort())("%s matches", async (file) => {
    expect(tree.get(file)).toBe(await readFile(join(goldenDir, file), "utf8"))
  })
})
