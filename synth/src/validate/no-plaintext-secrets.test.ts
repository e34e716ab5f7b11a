import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { expect, layer } from "@effect/vitest"
import { findPlaintextSecrets } from "@ppi/policy"
import { Effect } from "effect"
import { parseAllDocuments } from "yaml"
import { TenantFiles } from "../load/tenant-files.ts"
import { buildTree } from "../synth.ts"
import { examplePlatform, exampleTenantsDir, platformFor } from "../testing/fixtures.ts"

layer(TenantFiles.layer)("no plaintext secret in the output", (it) => {
  it.effect.each([
    ["selfhosted", examplePlatform],
    ["cloud", platformFor({ mode: "cloud" })],
  ] as const)("scans every file of a full %s synth and finds nothing", ([_mode, platform]) =>
    Effect.gen(function* () {
      const { tree } = yield* buildTree(exampleTenantsDir, platform)
      const documents = [...tree].flatMap(([file, text]) =>
        parseAllDocuments(text).map((document) => [file, document.toJS() as Record<string, unknown>] as const),
      )
      expect(documents.length).toBeGreaterThan(50)
      const findings = documents.flatMap(([file, object]) =>
        findPlaintextSecrets(object).map((finding) => `${file}: ${finding.path}: ${finding.reason}`),
      )
      expect(findings).toEqual([])
    }),
  )

  it.effect("finds no Secret object at all: credentials exist only in-cluster", () =>
    Effect.gen(function* () {
      const { tree } = yield* buildTree(exampleTenantsDir, examplePlatform)
      expect([...tree.values()].filter((text) => /^kind: Secret$/m.test(text))).toEqual([])
    }),
  )

  it("keeps the golden files clean too", async () => {
    const golden = new URL("../__golden__/", import.meta.url).pathname
    const files = (await readdir(golden, { recursive: true })).filter((file) => file.endsWith(".yaml"))
    expect(files.length).toBeGreaterThan(0)
    for (const file of files)
      for (const document of parseAllDocuments(await readFile(join(golden, file), "utf8")))
        expect(findPlaintextSecrets(document.toJS()), file).toEqual([])
  })
})
