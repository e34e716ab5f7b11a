import { describe, expect, it } from "@effect/vitest"
import { parseDataFile } from "./parse-data-file.ts"

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const problemsOf = (text: string) => {
  const result = parseDataFile("acme.ts", text)
  return result._tag === "Refused" ? result.problems : []
}

describe("parseDataFile", () => {
  it("reads every literal form a tenant file may use", () => {
    const text = [
      'import type { TenantInput } from "@ppi/config"',
      "",
      "export default {",
      '  name: "acme",',
      '  "display-name": `Acme\\u0020Corp`,',
      "  replicas: 3, offset: -1.5, big: 1_000, hex: 0x10,",
      '  hostnames: ["shop.acme.com", "b2b.acme.com"],',
      "  features: { beta: true, legacy: false }, owner: null,",
      "} as const satisfies TenantInput",
    ].join("\n")
    expect(parseDataFile("acme.ts", text)).toEqual({
      _tag: "Data",
      value: {
        name: "acme",
        "display-name": "Acme Corp",
        replicas: 3,
        offset: -1.5,
        big: 1000,
        hex: 16,
        hostnames: ["shop.acme.com", "b2b.acme.com"],
        features: { beta: true, legacy: false },
        owner: null,
      },
    })
  })

  it.each([
    ["an identifier", "export default { name: HOME }", "the identifier `HOME`"],
    ["undefined", "export default { name: undefined }", "the identifier `undefined`"],
    ["a member access", "export default { name: process.env.HOME }", "a member access"],
    ["a call", 'export default { name: String("x") }', "a call"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a tenant file, not a template
    ["a template substitution", "export default { name: `${1}` }", "a template substitution"],
    ["a spread", "export default { ...{ name: 1 } }", "a spread"],
    ["an array spread", "export default { hostnames: [...[]] }", "a spread"],
    ["a computed key", 'export default { ["name"]: "x" }', "a computed key"],
    ["a getter", 'export default { get name() { return "x" } }', "a getter"],
    ["a method", "export default { name() {} }", "a method"],
    ["a function value", "export default { name: () => 1 }", "a function"],
    ["a shorthand property", "export default { name }", "the shorthand property `name`"],
    ["a numeric key", "export default { 1: 1 }", "a numeric literal"],
    ["an operator", 'export default { name: "a" + "b" }', "a binary expression"],
    ["a unary plus", "export default { replicas: +1 }", "a prefix unary expression"],
    ["a bigint", "export default { replicas: 1n }", "a big int literal"],
    ["an array hole", "export default { hostnames: [, 1] }", "an array hole"],
    ["a regular expression", "export default { name: /x/ }", "a regular expression literal"],
    ["a new expression", "export default { name: new Date() }", "a new expression"],
    ["a tagged template", "export default { name: String.raw`x` }", "a tagged template expression"],
    ["an `as` cast", 'export default { name: "x" as string }', "an as expression"],
    ["an inline as-const", 'export default { hostnames: ["x"] as const }', "an as expression"],
    ["a value import", 'import { x } from "./x"\nexport default {}', "an import of values"],
    ["a default import named type", 'import type from "node:child_process"\nexport default {}', "an import of values"],
    ["a type-marked specifier", 'import { type X } from "x"\nexport default {}', "an import of values"],
    ["an import-equals", 'import fs = require("node:fs")\nexport default {}', "an import equals declaration"],
    ["a re-export", 'export * from "data:text/javascript,1"\nexport default {}', "a re-export"],
    ["a named export", "const a = 1\nexport { a }\nexport default {}", "a variable statement"],
    ["a statement", 'process.getBuiltinModule("node:fs")\nexport default {}', "a statement (call expression)"],
    ["a dynamic import", 'import/**/("node:fs")\nexport default {}', "a statement (call expression)"],
    ["a loop", "while (true) {}\nexport default {}", "a while statement"],
    ["top-level await", "await 0\nexport default {}", "a statement (await expression)"],
    ["a timer", "setTimeout(() => {}, 1e9)\nexport default {}", "a statement (call expression)"],
    ["a function declaration", "export default function tenant() {}", "a function declaration"],
    ["a class", "export default class {}", "a class declaration"],
    ["export =", "export = {}", "`export =`"],
    ["an enum", "enum Tier { Pro }\nexport default {}", "an enum declaration"],
    ["a namespace", "namespace X {}\nexport default {}", "a module declaration"],
  ])("refuses %s", (_, text, construct) => {
    const messages = problemsOf(text).map((problem) => problem.message)
    expect(messages).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${escapeRegExp(construct)}.* is not allowed in a tenant file: tenant files are data$`),
      ),
    )
  })

  it("locates a refused construct by line, column and field", () => {
    const text = 'export default {\n  name: "acme",\n  owner: { email: process.env.EMAIL },\n}'
    expect(problemsOf(text)).toEqual([
      {
        line: 3,
        column: 19,
        path: "owner.email",
        message: "a member access is not allowed in a tenant file: tenant files are data",
      },
    ])
  })

  it("reports every problem of a file at once", () => {
    expect(problemsOf("export default { a: x, b: [y, z] }").map(({ path }) => path)).toEqual(["a", "b[0]", "b[1]"])
  })

  it.each(["__proto__", "constructor", "prototype"])("refuses the prototype key %s", (key) => {
    expect(problemsOf(`export default { owner: { "${key}": { x: 1 } } }`)).toEqual([
      expect.objectContaining({ path: `owner.${key}`, message: `the key "${key}" is not allowed in a tenant file` }),
    ])
  })

  it("refuses a key written twice (which one wins would be a guess)", () => {
    expect(problemsOf('export default { name: "a", "name": "b" }')).toEqual([
      expect.objectContaining({ path: "name", message: 'the key "name" appears twice' }),
    ])
  })

  it("refuses a second default export and a missing one", () => {
    expect(problemsOf("export default {}\nexport default {}")[0]?.message).toBe(
      "a second default export is not allowed in a tenant file",
    )
    expect(problemsOf('import type { A } from "a"')[0]?.message).toBe(
      "no default export: the file must `export default { … }`",
    )
  })

  it("reports a syntax error with its location instead of guessing", () => {
    expect(problemsOf('export default {\n  name: "acme"\n  tier: "pro"\n}')).toEqual([
      expect.objectContaining({ line: 3, column: 3, message: "syntax error: ',' expected." }),
    ])
  })

  it("names the kind of file it refuses in", () => {
    const result = parseDataFile("synth/platform.ts", "export default { a: b }", "platform file")
    expect(result._tag === "Refused" && result.problems[0]?.message).toBe(
      "the identifier `b` (a reference to code) is not allowed in a platform file: platform files are data",
    )
  })

  it("gives values whose prototype no key can reach", () => {
    const result = parseDataFile("acme.ts", 'export default { owner: { email: "a@b.c" } }')
    if (result._tag !== "Data") throw new Error("expected data")
    expect(Object.getPrototypeOf(result.value)).toBeNull()
  })
})
