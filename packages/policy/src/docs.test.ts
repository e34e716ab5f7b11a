import { readFile } from "node:fs/promises"
import { describe, expect, it } from "@effect/vitest"
import { treeRules } from "./check-tree.ts"

const guide = await readFile(new URL("../../../docs/guardrails.md", import.meta.url), "utf8")
/** The first cell of every table row that is a rule id in backquotes. */
const rows = new Set([...guide.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((match) => match[1]))

describe("docs/guardrails.md", () => {
  it("has a row for every rule the engine runs", () => {
    expect(
      treeRules()
        .filter((rule) => !rows.has(rule.id))
        .map((rule) => rule.id),
    ).toEqual([])
  })
})
