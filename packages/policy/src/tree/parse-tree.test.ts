import { describe, expect, it } from "@effect/vitest"
import { contextOf } from "./context.ts"
import { parseTree } from "./parse-tree.ts"

const context = contextOf()
const parse = (files: Record<string, string>) => parseTree(new Map(Object.entries(files)), context)
const problems = (files: Record<string, string>) =>
  parse(files).problems.map((problem) => `${problem.path}: [${problem.rule}] ${problem.message}`)

const configMap = (name: string, namespace?: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ""}`

describe("reading a folder tree", () => {
  it("reads every document of a multi-document file, tenant and component from the path", () => {
    const { folders, problems } = parse({
      "acme/app/manifest.yaml": `${configMap("a", "acme")}---\n${configMap("b", "acme")}---\n`,
    })
    expect(problems).toEqual([])
    expect(
      folders.flatMap((folder) =>
        folder.objects.map((o) => `${o.tenant} ${o.component} ${o.path} ${o.object.metadata.name}`),
      ),
    ).toEqual(["acme app acme/app/manifest.yaml a", "acme app acme/app/manifest.yaml b"])
  })

  it("puts an object where it lands: its namespace, the folder's default, or none for a cluster-scoped kind", () => {
    const { folders } = parse({
      "acme/app/a.yaml": configMap("a"),
      "acme/platform/b.yaml": configMap("b", "platform"),
      "acme/platform/crb.yaml":
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: x\n  namespace: acme\n",
      "_platform/argocd/c.yaml": configMap("c"),
    })
    expect(
      folders.flatMap((folder) => folder.objects.map((o) => `${o.object.metadata.name}=${o.namespace ?? "-"}`)).sort(),
    ).toEqual(["a=acme", "b=platform", "c=argocd", "x=-"])
  })

  it("ignores the deploy branch's own files at the root and a tenant's synth.metadata, refuses anything else out of place", () => {
    expect(
      problems({
        "README.md": "# deploy",
        ".gitattributes": "* -text",
        "stray.yaml": configMap("s"),
        "acme/loose.yaml": configMap("l"),
        "acme/charts/x.yaml": configMap("x"),
        "Acme/app/x.yaml": configMap("x"),
        "acme/app/main.jsonnet": "{}",
        "acme/synth.metadata": "{}",
        "acme/app/synth.metadata": "{}",
        // The rollout state and the fleet report: data no Application reads.
        "_platform/rollout.json": '{ "status": "done" }',
        "_platform/report.html": "<!doctype html>",
        "_platform/other.html": "<!doctype html>",
      }),
    ).toEqual([
      "stray.yaml: [tree/layout] a manifest must sit under <tenant>/<component>/",
      "acme/loose.yaml: [tree/layout] a manifest must sit under <tenant>/<component>/",
      "acme/charts/x.yaml: [tree/layout] charts is not a component of a tenant (platform, app, argocd)",
      "Acme/app/x.yaml: [tree/layout] folder Acme is neither a tenant name nor _platform",
      "acme/app/main.jsonnet: [tree/layout] not a YAML or JSON manifest",
      "acme/app/synth.metadata: [tree/layout] not a YAML or JSON manifest",
      "_platform/other.html: [tree/layout] not a YAML or JSON manifest",
    ])
  })

  it("reads JSON manifests, which Argo CD applies too", () => {
    const { folders } = parse({
      "acme/app/x.json": JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }),
    })
    expect(folders[0]?.objects.map((o) => o.object.kind)).toEqual(["Pod"])
  })

  it("refuses YAML that another parser could read differently, and documents that are not objects", () => {
    expect(
      problems({
        "acme/app/alias.yaml": `base: &b\n  name: x\napiVersion: v1\nkind: ConfigMap\nmetadata: *b\n`,
        "acme/app/merge.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: x}\n`,
        "acme/app/dup.yaml": `apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n`,
        "acme/app/tag.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !!binary eA==\n`,
        "acme/app/bad.yaml": "apiVersion: v1\nkind: [\n",
        "acme/app/list.yaml": "- a\n- b\n",
        "acme/app/nameless.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
      }),
    ).toEqual([
      "acme/app/alias.yaml: [tree/yaml] a document uses an alias (*anchor): plain YAML only",
      "acme/app/merge.yaml: [tree/yaml] a document uses a merge key (<<): plain YAML only",
      "acme/app/dup.yaml: [tree/yaml] invalid YAML: Map keys must be unique",
      "acme/app/tag.yaml: [tree/yaml] a document uses the explicit tag tag:yaml.org,2002:binary: plain YAML only",
      "acme/app/bad.yaml: [tree/yaml] invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "acme/app/list.yaml: [tree/yaml] a document that is not a mapping: not a Kubernetes object",
      "acme/app/nameless.yaml: [tree/yaml] ConfigMap without metadata.name: not a Kubernetes object",
    ])
  })

  it("skips empty documents", () => {
    const { folders, problems } = parse({ "acme/app/x.yaml": `---\n---\n${configMap("a")}---\n` })
    expect(problems).toEqual([])
    expect(folders[0]?.objects).toHaveLength(1)
  })
})
