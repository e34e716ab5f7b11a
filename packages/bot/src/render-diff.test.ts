import { describe, expect, it } from "@effect/vitest"
import { COMMENT_LIMIT, renderComments, renderFull, treeChanges } from "./render-diff.ts"

const object = (kind: string, name: string, namespace: string, body = "", labels = "    team: a\n") =>
  `apiVersion: v1\nkind: ${kind}\nmetadata:\n  labels:\n${labels}  name: ${name}\n  namespace: ${namespace}\n${body}`

const before = new Map([
  ["acme/app/deployment-api.yaml", object("Deployment", "api", "acme", "spec:\n  replicas: 2\n")],
  ["acme/app/service-api.yaml", object("Service", "api", "acme")],
  ["hobby/app/service-api.yaml", object("Service", "api", "hobby")],
  ["README.md", "# deploy branch\n"],
  [".gitattributes", "* linguist-generated=true\n"],
])
const after = new Map([
  ["acme/app/deployment-api.yaml", object("Deployment", "api", "acme", "spec:\n  replicas: 4\n")],
  ["acme/app/service-api.yaml", object("Service", "api", "acme")],
  ["zeta/app/service-api.yaml", object("Service", "api", "zeta", "spec:\n  note: Xk9fQ2mZ7pL4vR8sT1wY6bN3cJ5hG0dE\n")],
])

describe("rendered diff", () => {
  const changes = treeChanges(before, after)

  it("lists added, changed and removed objects by identity, without the deploy branch's housekeeping files", () => {
    expect(changes.map((c) => `${c.status} ${c.label} ${c.file}`)).toEqual([
      "changed Deployment acme/api acme/app/deployment-api.yaml",
      "removed Service hobby/api hobby/app/service-api.yaml",
      "added Service zeta/api zeta/app/service-api.yaml",
    ])
    expect(changes[0]?.diff).toBe("@@ spec\n-  replicas: 2\n+  replicas: 4")
    expect(renderFull(changes)).not.toMatch(/README|gitattributes/)
  })

  it("identifies objects the same in one-file-per-object and multi-document layouts", () => {
    const perComponent = new Map([
      ["acme/app.yaml", `${before.get("acme/app/deployment-api.yaml")}---\n${before.get("acme/app/service-api.yaml")}`],
      ["hobby/app.yaml", `---\n${before.get("hobby/app/service-api.yaml")}`],
    ])
    expect(treeChanges(before, perComponent)).toEqual([])
    const next = new Map([["acme/app.yaml", `${after.get("acme/app/deployment-api.yaml")}---\n`]])
    expect(treeChanges(perComponent, next).map((c) => `${c.status} ${c.label}`)).toEqual([
      "changed Deployment acme/api",
      "removed Service acme/api",
      "removed Service hobby/api",
    ])
  })

  it("redacts secrets: Secret data, credential-named literals, token-shaped strings", () => {
    const secret = new Map([
      [
        "acme/platform/secret-db.yaml",
        `${object("Secret", "db", "acme")}data:\n  password: aHVudGVyMg==\nstringData:\n  url: plain\n`,
      ],
      ["acme/app/configmap-env.yaml", `${object("ConfigMap", "env", "acme")}data:\n  API_TOKEN: hunter2\n`],
    ])
    const rendered = renderFull(treeChanges(new Map(), secret)) + renderFull(treeChanges(before, after))
    for (const hidden of ["aHVudGVyMg==", "url: plain", "hunter2", "Xk9fQ2mZ7pL4vR8sT1wY6bN3cJ5hG0dE"])
      expect(rendered).not.toContain(hidden)
    expect(rendered.match(/\[redacted\]/g)?.length).toBe(4)
  })

  it("keeps harmless values visible: automountServiceAccountToken and a quota's secrets count", () => {
    const next = new Map([
      [
        "acme/app/serviceaccount-api.yaml",
        `${object("ServiceAccount", "api", "acme")}automountServiceAccountToken: false\n`,
      ],
      [
        "acme/platform/resourcequota-q.yaml",
        `${object("ResourceQuota", "q", "acme")}spec:\n  hard:\n    count/secrets: "16"\n    secrets: "16"\n`,
      ],
    ])
    const rendered = renderFull(treeChanges(new Map(), next))
    expect(rendered).toContain("automountServiceAccountToken: false")
    expect(rendered).toContain('    secrets: "16"')
    expect(rendered).toContain('count/secrets: "16"')
    expect(rendered).not.toContain("[redacted]")
  })

  it("shows a change repeated across objects once, with the list of objects", () => {
    const relabel = (tree: ReadonlyMap<string, string>) =>
      new Map([...tree].map(([file, text]) => [file, text.replace("team: a", "team: b")]))
    const grouped = treeChanges(before, relabel(before))
    expect(grouped).toHaveLength(3)
    const [comment] = renderComments(grouped)
    expect(comment).toContain("<code>metadata.labels</code>: the same change in 3 objects")
    expect(comment?.match(/\+ {4}team: b/g)).toHaveLength(1)
    expect(comment).toContain("`acme`: `Deployment acme/api`, `Service acme/api`")
    expect(comment).toContain("`hobby`: `Service hobby/api`")
    expect(comment).not.toContain("(changed)")
  })

  it("starts with the words it is given, and the marker", () => {
    const [comment] = renderComments(changes, { summary: "Adds tenant zeta (free)." })
    expect(comment?.split("\n").slice(0, 2)).toEqual(["<!-- ppi-rendered-diff -->", "**Adds tenant zeta (free).**"])
  })

  it("splits a large diff at section boundaries into numbered parts under the limit, losing nothing", () => {
    const big = new Map(
      Array.from({ length: 400 }, (_, i) => [
        `t${String(i).padStart(3, "0")}/app/configmap-api-env.yaml`,
        `${object("ConfigMap", "env", `t${String(i).padStart(3, "0")}`)}data:\n${"  KEY: value\n".repeat(40)}`,
      ]),
    )
    const parts = renderComments(treeChanges(new Map(), big))
    expect(parts.length).toBeGreaterThan(2)
    parts.forEach((part, index) => {
      expect(part.length).toBeLessThanOrEqual(COMMENT_LIMIT)
      expect(part.startsWith("<!-- ppi-rendered-diff -->\n")).toBe(true)
      expect(part).toContain(`(part ${index + 1}/${parts.length})`)
      // Every code block opened is closed in the same part.
      expect((part.match(/^```/gm) ?? []).length % 2).toBe(0)
    })
    for (let i = 0; i < 400; i++)
      expect(parts.join("")).toContain(`t${String(i).padStart(3, "0")}/app/configmap-api-env.yaml`)
  })

  it("cuts a single object larger than a comment cleanly, pointing at the full diff", () => {
    const huge = new Map([
      [
        "acme/app/configmap-big.yaml",
        `${object("ConfigMap", "big", "acme")}data:\n${"  LINE: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".repeat(5000)}`,
      ],
    ])
    const parts = renderComments(treeChanges(new Map(), huge))
    expect(parts).toHaveLength(1)
    expect(parts[0]?.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(parts[0]).toContain("the full diff is in the job summary")
    expect((parts[0]?.match(/^```/gm) ?? []).length).toBe(2)
  })

  it("says so when nothing changed", () => {
    expect(renderComments([])[0]).toContain("No change to the synthesized manifests.")
  })
})
