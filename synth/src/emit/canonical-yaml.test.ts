import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { parse } from "yaml"
import { toCanonicalYaml } from "./canonical-yaml.ts"

// Keys and strings chosen to hit every quoting rule: YAML 1.1 booleans, numbers, leading
// indicators, ": ", " #", multi-line text, control characters and unicode.
const tricky = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "~",
    "null",
    "true",
    "1.0",
    "0x1F",
    // A mantissa-less exponent: the yaml library's YAML 1.1 schema reads "E0" as a float (NaN).
    "E0",
    "e5",
    "+E1",
    "1e3",
    ".5",
    // A lone dot: YAML 1.1 reads it as a float (NaN).
    ".",
    "._",
    "-",
    "? x",
    "- x",
    "a: b",
    "a #b",
    "&a",
    "*a",
    "!t",
    "%x",
    "@x",
    "`x",
    "'x'",
    '"x"',
    "",
    " lead",
    "trail ",
    "multi\nline\n",
    "x\n\n",
    "a\n  b\n",
    "x\n\n\ny",
    "last\n ",
    "\ttab",
    "é✓",
    "<<",
    "2026-11-23",
  ),
)
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    tricky,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(tricky, tie("value"), { maxKeys: 4 }),
  ),
})).value

describe("toCanonicalYaml", () => {
  it("round-trips any JSON object through a YAML 1.2 parser", () => {
    fc.assert(
      fc.property(fc.dictionary(tricky, json, { maxKeys: 6 }), (object) => {
        expect(parse(toCanonicalYaml(object), { version: "1.2" })).toEqual(JSON.parse(JSON.stringify(object)))
      }),
      { numRuns: 2000 },
    )
  })

  it("never leaves a plain scalar a YAML 1.1 reader would turn into something else", () => {
    fc.assert(
      fc.property(tricky, (value) => {
        expect(parse(toCanonicalYaml({ v: value }), { version: "1.1" })).toEqual({ v: value })
      }),
    )
  })

  it("quotes a lone dot and a dot before underscores, which YAML 1.1 reads as floats", () => {
    expect(toCanonicalYaml({ a: ".", b: "._" })).toBe('a: "."\nb: "._"\n')
  })

  it("puts apiVersion, kind and metadata first and sorts every other key", () => {
    expect(
      toCanonicalYaml({ spec: { b: 1, a: 2 }, metadata: { name: "x" }, kind: "K", apiVersion: "v1", data: {} }),
    ).toBe("apiVersion: v1\nkind: K\nmetadata:\n  name: x\ndata: {}\nspec:\n  a: 2\n  b: 1\n")
  })

  it("writes multi-line text as a literal block", () => {
    expect(toCanonicalYaml({ data: { "run.sh": "#!/bin/sh\necho hi\n" } })).toBe(
      "data:\n  run.sh: |\n    #!/bin/sh\n    echo hi\n",
    )
  })
})
