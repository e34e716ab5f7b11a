import { describe, expect, it } from "@effect/vitest"
import { checkTree, checkTreeChanges, formatViolation } from "@ppi/policy"
import { Effect } from "effect"
import { readMetadata } from "../incremental/render-metadata.ts"
import { TenantFiles } from "../load/tenant-files.ts"
import { buildTree } from "../synth.ts"
import { EditableTree } from "../testing/editable-tree.ts"
import { examplePlatform, exampleTenantsDir } from "../testing/fixtures.ts"

const { tree } = await Effect.runPromise(
  buildTree(exampleTenantsDir, examplePlatform).pipe(Effect.provide(TenantFiles.layer)),
)
// What publish knows of an unchanged folder without parsing it: its synth.metadata.
const claimsFromMetadata = (files: ReadonlyMap<string, string>) => (folder: string) =>
  readMetadata(files.get(`${folder}/synth.metadata`))?.claims

const check = (files: ReadonlyMap<string, string>, checked: ReadonlyMap<string, string>) =>
  checkTreeChanges(files, checked, { platform: examplePlatform }, claimsFromMetadata(files)).violations.map(
    formatViolation,
  )

describe("checking only what changed since a checked tree", () => {
  it("passes an unchanged tree, as the full check does", () => {
    expect(check(tree, tree)).toEqual([])
    expect(checkTree(tree, { platform: examplePlatform }).violations).toEqual([])
  })

  it("judges a changed folder by every rule", () => {
    const edited = new EditableTree(tree)
    edited.doc("acme/app/service-api.yaml").spec.type = "NodePort"
    expect(check(edited.files(), tree).join("\n")).toContain("[mtb/no-nodeport-or-loadbalancer]")
  })

  it("judges a changed folder against the claims of the unchanged ones, read from their metadata", () => {
    const edited = new EditableTree(tree)
    edited.doc("globex/app/ingress-api.yaml").spec.rules[0].host = "acme.apps.parametric.dev"
    const files = edited.files()
    expect(check(files, tree).join("\n")).toContain("[hostnames/unique]")
    // acme was not parsed: the clash was found through its metadata.
    expect(claimsFromMetadata(files)("acme")?.hosts.map((h) => h.host)).toContain("acme.apps.parametric.dev")
  })

  it("does not judge a folder again that is byte-identical to the checked tree", () => {
    const edited = new EditableTree(tree)
    edited.doc("hobby/app/service-api.yaml").spec.type = "NodePort"
    const files = edited.files()
    expect(check(files, files)).toEqual([])
    expect(check(files, tree).join("\n")).toContain("hobby/app/manifest.yaml")
  })
})
