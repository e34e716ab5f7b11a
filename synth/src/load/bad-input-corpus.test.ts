import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { formatIssue } from "@ppi/config"
import { MAX_DATA_FILE_BYTES } from "@ppi/data-file/source"
import { Effect } from "effect"
import { buildTree } from "../synth.ts"
import { examplePlatform } from "../testing/fixtures.ts"
import { TenantFiles } from "./tenant-files.ts"

const corpusDir = new URL("./__corpus__/", import.meta.url)

/** Runs the real loader and checks over a folder holding just this one file (as `acme.ts`, its tenant). */
const problemsOf = (source: string) => problemsOfFiles({ acme: source })

const problemsOfFiles = async (files: Readonly<Record<string, string>>): Promise<ReadonlyArray<string>> => {
  const dir = await mkdtemp(join(tmpdir(), "ppi-corpus-"))
  try {
    for (const [name, source] of Object.entries(files)) await writeFile(join(dir, `${name}.ts`), source)
    const result = await Effect.runPromise(
      Effect.result(buildTree(dir, examplePlatform)).pipe(Effect.provide(TenantFiles.layer)),
    )
    if (result._tag === "Success") return []
    const failure = result.failure
    return "issues" in failure ? failure.issues.map(formatIssue) : [failure.message]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const corpus = (await readdir(corpusDir)).filter((name) => name.endsWith(".ts.bad")).sort()

describe("bad-input corpus", () => {
  it("has a case for every kind of broken tenant file", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50)
  })

  it.each(corpus)("%s fails naming the file and the field", async (entry) => {
    const source = await readFile(new URL(entry, corpusDir), "utf8")
    const expectation = /^\/\/ expect: (.+?) \| (.+)$/m.exec(source)
    if (expectation === null) throw new Error(`${entry} has no "// expect: <path> | <message>" line`)
    const [, path, message] = expectation
    const problems = await problemsOf(source)
    expect(problems.length).toBeGreaterThan(0)
    expect(problems).toContainEqual(
      expect.stringMatching(new RegExp(`acme\\.ts(:\\d+:\\d+)?: ${escapeRegExp(path ?? "")}: `)),
    )
    expect(problems.join("\n")).toContain(message)
  })

  it("names both files when two tenants share a name or a hostname", async () => {
    const problems = await problemsOfFiles({
      acme: 'export default { name: "acme", tier: "pro", hostnames: ["portal.acme.example"] }',
      globex: 'export default { name: "globex", tier: "pro", hostnames: ["portal.acme.example"] }',
    })
    expect(problems).toContainEqual(
      expect.stringMatching(
        /globex\.ts: hostnames\[0\]: duplicate hostname portal\.acme\.example \(also claimed by .*acme\.ts\)/,
      ),
    )
  })

  it("refuses an empty file and a huge one", async () => {
    expect(await problemsOf("")).toEqual([expect.stringContaining("acme.ts: (root): file is empty")])
    const huge = `export default { name: "acme", tier: "pro", displayName: "${"x".repeat(MAX_DATA_FILE_BYTES)}" }`
    expect(await problemsOf(huge)).toEqual([expect.stringContaining("acme.ts: (root): file is larger than")])
  })
})

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
