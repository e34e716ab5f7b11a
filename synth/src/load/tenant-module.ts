import { stripTypeScriptTypes } from "node:module"
import type { ConfigIssue } from "@ppi/config"

/** Tenant files are data: a huge one is a mistake (or an attack), not a tenant. */
export const MAX_TENANT_FILE_BYTES = 64 * 1024

// `import type …` is erased; any other import, require or dynamic import would run code.
const VALUE_IMPORT = /^\s*import\s+(?!type\s)[^\n]*$|^\s*export\s+[^\n]*\sfrom\s|\brequire\s*\(|\bimport\s*\(/m

const lineOf = (source: string, index: number): number => source.slice(0, index).split("\n").length

/**
 * Evaluates a tenant file's source and returns its default export, or the problems found.
 * Types are stripped first (that is where a syntax error gets its line), then the module runs
 * from a data: URL so that nothing but the file's own text is evaluated.
 */
export const evaluateTenantModule = async (
  file: string,
  source: string,
): Promise<{ readonly value: unknown } | { readonly issues: ReadonlyArray<ConfigIssue> }> => {
  const fail = (message: string, path = "") => ({ issues: [{ file, path, message }] })
  if (Buffer.byteLength(source) > MAX_TENANT_FILE_BYTES)
    return fail(`file is larger than ${MAX_TENANT_FILE_BYTES / 1024} KiB; a tenant file is a small object`)
  if (source.trim() === "") return fail("file is empty: it must default-export a tenant object")
  const valueImport = VALUE_IMPORT.exec(source)
  if (valueImport !== null)
    return fail(
      `line ${lineOf(source, valueImport.index + (valueImport[0].length - valueImport[0].trimStart().length))}: tenant files may only import types (import type { TenantInput } from "@ppi/config")`,
    )
  let javascript: string
  try {
    javascript = stripTypeScriptTypes(source, { mode: "strip" })
  } catch (error) {
    // Node puts the location in front of the stack (":3\n<source line>\n   ^^^"), not in the message.
    const message = error instanceof Error ? error.message : String(error)
    const line = error instanceof Error ? /^\s*:(\d+)\n/.exec(error.stack ?? "")?.[1] : undefined
    return fail(`TypeScript syntax error${line ? ` at line ${line}` : ""}: ${message}`)
  }
  try {
    const module = (await import(`data:text/javascript;base64,${Buffer.from(javascript).toString("base64")}`)) as {
      readonly default?: unknown
    }
    if (!("default" in module)) return fail("no default export: the file must `export default { … }`")
    return { value: module.default }
  } catch (error) {
    return fail(`the file failed to evaluate: ${error instanceof Error ? error.message : String(error)}`)
  }
}
