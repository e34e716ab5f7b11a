import { InvalidConfig, type TenantInput } from "@ppi/config"
import { parseDataFile } from "@ppi/data-file"
import { Effect } from "effect"

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const literal = (value: unknown, indent: string): string => {
  if (Array.isArray(value))
    return value.length === 0 ? "[]" : `[${value.map((item) => literal(item, indent)).join(", ")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
    if (entries.length === 0) return "{}"
    const inner = `${indent}  `
    return `{\n${entries.map(([key, item]) => `${inner}${IDENTIFIER.test(key) ? key : JSON.stringify(key)}: ${literal(item, inner)},`).join("\n")}\n${indent}}`
  }
  return JSON.stringify(value)
}

/** A tenant file as a developer would write it: a plain object that `satisfies` the input type. */
export const renderTenantFile = (input: TenantInput): string =>
  `import type { TenantInput } from "@ppi/config"\n\nexport default ${literal(input, "")} satisfies TenantInput\n`

/**
 * A tenant file's text read back as data, never run (the bot holds a write token); a file that is
 * not plain data is refused with where and why. The decode, not this, judges the values.
 */
export const readTenantFile = (path: string, text: string): Effect.Effect<TenantInput, InvalidConfig> => {
  const parsed = parseDataFile(path, text)
  return parsed._tag === "Refused"
    ? Effect.fail(
        new InvalidConfig({
          issues: parsed.problems.map(({ line, column, path: field, message }) => ({
            file: path,
            path: field,
            message,
            location: { line, column },
          })),
        }),
      )
    : Effect.succeed(parsed.value as TenantInput)
}
