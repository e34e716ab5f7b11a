import { execFile } from "node:child_process"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { EditableTree } from "../testing/editable-tree.ts"
import { exampleTree } from "../testing/example-tree.ts"
import { platformFile, repoRoot } from "../testing/fixtures.ts"

const run = promisify(execFile)
const policyMain = `${repoRoot}packages/policy/src/main.ts`

/** `pnpm policy DIR --platform synth/platform.ts`, on a folder holding `files`. */
const policy = async (files: ReadonlyMap<string, string>) => {
  const dir = await mkdtemp(join(tmpdir(), "ppi-policy-out-"))
  folders.push(dir)
  for (const [path, content] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return run(process.execPath, [
    "--disable-warning=ExperimentalWarning",
    policyMain,
    "--platform",
    platformFile,
    dir,
  ]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  )
}
const folders: Array<string> = []
afterAll(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true })
})

const tree = await exampleTree()

/** The same objects, one file per object (`acme/app/service-api.yaml`), as earlier synths wrote them. */
const asObjectFiles = (files: ReadonlyMap<string, string>): ReadonlyMap<string, string> => {
  // The metadata beside each tenant's components stays as it is.
  const split = new Map<string, string>([...files].filter(([path]) => !path.endsWith(".yaml")))
  for (const [path, content] of files)
    for (const document of path.endsWith(".yaml") ? content.split(/^---\n/m) : []) {
      const kind = /^kind: (.+)$/m.exec(document)?.[1] ?? ""
      const name = /^ {2}name: (.+)$/m.exec(document)?.[1] ?? ""
      split.set(`${dirname(path)}/${kind.toLowerCase()}-${name}.yaml`, document)
    }
  return split
}

const externalName = (files: ReadonlyMap<string, string>, path: string) => {
  const edited = new EditableTree(files)
  const service = edited.docs(path).find((doc) => doc.kind === "Service")
  service.spec.type = "ExternalName"
  service.spec.externalName = "postgres.platform-data.svc.cluster.local"
  return edited.files()
}

describe("pnpm policy on synth's output", () => {
  it("passes the output of the example tenants, one multi-document manifest per component", async () => {
    expect(await policy(tree)).toEqual({ code: 0, stdout: "" })
  })

  it("passes the same objects as one object per file", async () => {
    const split = asObjectFiles(tree)
    expect(split.size).toBeGreaterThan(tree.size)
    expect(await policy(split)).toEqual({ code: 0, stdout: "" })
  })

  it("names the file and object of a violation in either layout, and exits 1", async () => {
    const single = await policy(externalName(asObjectFiles(tree), "acme/app/service-api.yaml"))
    expect(single.code).toBe(1)
    expect(single.stdout).toContain(
      "acme/app/service-api.yaml: Service/api: [service/no-external-name] leads to postgres.platform-data.svc.cluster.local",
    )
    const multi = await policy(externalName(tree, "acme/app/manifest.yaml"))
    expect(multi.code).toBe(1)
    expect(multi.stdout).toContain(
      "acme/app/manifest.yaml: Service/api: [service/no-external-name] leads to postgres.platform-data.svc.cluster.local",
    )
  })
})
