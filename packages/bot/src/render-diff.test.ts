import { describe, expect, it } from "@effect/vitest"
import { COMMENT_LIMIT, renderComments, renderFull, treeChanges } from "./render-diff.ts"

const before = new Map([
  ["acme/app/deployment-api.yaml", "kind: Deployment\nspec:\n  replicas: 2\n"],
  ["acme/app/service-api.yaml", "kind: Service\n"],
  ["hobby/app/service-api.yaml", "kind: Service\n"],
])
const after = new Map([
  ["acme/app/deployment-api.yaml", "kind: Deployment\nspec:\n  replicas: 4\n"],
  ["acme/app/service-api.yaml", "kind: Service\n"],
  [
    "zeta/app/service-api.yaml",
    "kind: Service\nmetadata:\n  annotations:\n    api-token: Xk9fQ2mZ7pL4vR8sT1wY6bN3cJ5hG0dE\n",
  ],
])

describe("rendered diff", () => {
  const changes = treeChanges(before, after)

  it("lists added, changed and removed objects per tenant", () => {
    expect(changes.map((c) => `${c.status} ${c.file}`)).toEqual([
      "changed acme/app/deployment-api.yaml",
      "removed hobby/app/service-api.yaml",
      "added zeta/app/service-api.yaml",
    ])
    expect(changes[0]?.diff).toContain("-  replicas: 2\n+  replicas: 4\n")
  })

  it("redacts anything secret-shaped", () => {
    const rendered = renderFull(changes)
    expect(rendered).not.toContain("Xk9fQ2mZ7pL4vR8sT1wY6bN3cJ5hG0dE")
    expect(rendered).toContain("[redacted]")
  })

  it("renders a summary table and one collapsible diff per object (golden)", () => {
    expect(renderComments(changes)).toEqual([
      [
        "<!-- ppi-rendered-diff -->",
        "### Rendered diff",
        "",
        "| tenant | added | changed | removed |",
        "|---|---:|---:|---:|",
        "| `acme` | 0 | 1 | 0 |",
        "| `hobby` | 0 | 0 | 1 |",
        "| `zeta` | 1 | 0 | 0 |",
        "",
        "<details><summary><code>acme/app/deployment-api.yaml</code> (changed)</summary>",
        "",
        "```diff",
        "--- a/acme/app/deployment-api.yaml",
        "+++ b/acme/app/deployment-api.yaml",
        "@@ -1,3 +1,3 @@",
        " kind: Deployment",
        " spec:",
        "-  replicas: 2",
        "+  replicas: 4",
        "```",
        "",
        "</details>",
        "<details><summary><code>hobby/app/service-api.yaml</code> (removed)</summary>",
        "",
        "```diff",
        "--- a/hobby/app/service-api.yaml",
        "+++ b/hobby/app/service-api.yaml",
        "@@ -1 +0,0 @@",
        "-kind: Service",
        "```",
        "",
        "</details>",
        "<details><summary><code>zeta/app/service-api.yaml</code> (added)</summary>",
        "",
        "```diff",
        "--- a/zeta/app/service-api.yaml",
        "+++ b/zeta/app/service-api.yaml",
        "@@ -0,0 +1,4 @@",
        "+kind: Service",
        "+metadata:",
        "+  annotations:",
        "+    api-token: [redacted]",
        "```",
        "",
        "</details>",
        "",
      ].join("\n"),
    ])
  })

  it("splits a large diff at object boundaries into numbered parts under the limit, losing nothing", () => {
    const big = new Map(
      Array.from({ length: 400 }, (_, i) => [
        `t${String(i).padStart(3, "0")}/app/configmap-api-env.yaml`,
        `data:\n${"  KEY: value\n".repeat(40)}`,
      ]),
    )
    const parts = renderComments(treeChanges(new Map(), big))
    expect(parts.length).toBeGreaterThan(2)
    parts.forEach((part, index) => {
      expect(part.length).toBeLessThanOrEqual(COMMENT_LIMIT)
      expect(part).toContain(`(part ${index + 1}/${parts.length})`)
      // Every code block opened is closed in the same part.
      expect((part.match(/^```/gm) ?? []).length % 2).toBe(0)
    })
    for (let i = 0; i < 400; i++)
      expect(parts.join("")).toContain(`t${String(i).padStart(3, "0")}/app/configmap-api-env.yaml`)
  })

  it("cuts a single object larger than a comment cleanly, pointing at the full diff", () => {
    const huge = new Map([
      ["acme/app/configmap-big.yaml", `data:\n${"  LINE: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".repeat(5000)}`],
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
