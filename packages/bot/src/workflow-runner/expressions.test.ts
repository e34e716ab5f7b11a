import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { condition, type ExpressionContext, interpolate } from "./expressions.ts"

/** `${{ inner }}`, written so that no string literal looks like a JS placeholder. */
const e = (inner: string) => `$\{{ ${inner} }}`

const context = (overrides: Partial<ExpressionContext> = {}): ExpressionContext => ({
  contexts: {
    github: {
      ref: "refs/heads/main",
      repository: "org/repo",
      event: { workflow_run: { event: "pull_request", conclusion: "success" }, pull_request: { number: 7 } },
    },
    vars: { PULUMI_STACK: "production" },
    inputs: { "allow-removal": "acme" },
    runner: { temp: "/tmp/runner" },
  },
  jobSucceeded: true,
  workspace: tmpdir(),
  ...overrides,
})

describe("workflow expressions", () => {
  it("resolves paths, dashed names and string literals inside expressions", () => {
    expect(
      interpolate(
        `${e("vars.PULUMI_STACK")}-${e("inputs.allow-removal")}-${e("github.event.pull_request.number")}`,
        context(),
      ),
    ).toBe("production-acme-7")
    expect(interpolate(`${e("runner.temp")}/cluster-preview/`, context())).toBe("/tmp/runner/cluster-preview/")
  })

  it("evaluates the conditions the workflows use, comparing strings case-insensitively as GitHub does", () => {
    const run = "github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.conclusion"
    expect(condition(`${run} == 'success'`, context())).toBe(true)
    expect(condition(`${run} != 'skipped'`, context())).toBe(true)
    expect(condition(`${run} == 'failure'`, context())).toBe(false)
    expect(condition("github.ref == 'REFS/HEADS/MAIN'", context())).toBe(true)
    expect(condition("!(github.ref == 'refs/heads/main') || false", context())).toBe(false)
  })

  it("adds success() to a condition without a status function, and always() runs after a failure", () => {
    const failed = context({ jobSucceeded: false })
    expect(condition(undefined, failed)).toBe(false)
    expect(condition("github.ref == 'refs/heads/main'", failed)).toBe(false)
    expect(condition("always()", failed)).toBe(true)
    expect(condition(e("always()"), failed)).toBe(true)
  })

  it("fails on an unknown context, function or unset property instead of reading an empty string", () => {
    expect(() => interpolate(e("secret.TOKEN"), context())).toThrow(/unknown context secret/)
    expect(() => interpolate(e("toJSON(github)"), context())).toThrow(/unknown function toJSON/)
    expect(() => interpolate(e("vars.PULUMI_STAKC"), context())).toThrow(/vars.PULUMI_STAKC is not set/)
    expect(() => interpolate(e("github.event.pull_request.head.sha"), context())).toThrow(/is not set/)
  })

  it("reads a declared-nullable property as empty, as GitHub reads a push's missing input", () => {
    const push = context({ contexts: { inputs: {} }, nullable: (path) => path.join(".") === "inputs.allow-removal" })
    expect(interpolate(`[${e("inputs.allow-removal")}]`, push)).toBe("[]")
    expect(() => interpolate(e("inputs.other"), push)).toThrow(/inputs.other is not set/)
  })

  it("hashFiles() changes with the files' content and is empty when nothing matches", () => {
    const workspace = mkdtempSync(join(tmpdir(), "ppi-hash-"))
    const hash = () => interpolate(e("hashFiles('**/go.sum')"), context({ workspace }))
    expect(hash()).toBe("")
    writeFileSync(join(workspace, "go.sum"), "a\n")
    const first = hash()
    expect(first).toMatch(/^[0-9a-f]{64}$/)
    writeFileSync(join(workspace, "go.sum"), "b\n")
    expect(hash()).not.toBe(first)
  })
})
