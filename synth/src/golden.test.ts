import { readdir } from "node:fs/promises"
import { join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TenantFiles } from "./load/tenant-files.ts"
import { buildTree } from "./synth.ts"
import { examplePlatform, exampleTenantsDir } from "./testing/fixtures.ts"

// Reviewed output of the example tenants. Regenerate with `pnpm golden` and review the diff.
const goldenDir = new URL("./__golden__/", import.meta.url).pathname

const listGolden = async (dir: string): Promise<ReadonlyArray<string>> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(goldenDir, join(entry.parentPath, entry.name)))
    .sort()

const { tree } = await Effect.runPromise(
  buildTree(exampleTenantsDir, examplePlatform).pipe(Effect.provide(TenantFiles.layer)),
)

describe("golden output of the example tenants", () => {
  it("has exactly the golden files", async () => {
    expect([...tree.keys()].sort()).toEqual(await listGolden(goldenDir).catch(() => []))
  })

  it.each([...tree.keys()].sort())("%s matches", async (file) => {
    await expect(tree.get(file)).toMatchFileSnapshot(join(goldenDir, file))
  })
})
