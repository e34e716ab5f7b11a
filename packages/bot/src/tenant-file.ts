import type { TenantInput } from "@ppi/config"

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
