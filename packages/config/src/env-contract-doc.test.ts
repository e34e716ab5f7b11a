import { readFileSync, writeFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { EnvContract } from "./env-contract.ts"
import { ENV_CONTRACT_DOC_END, ENV_CONTRACT_DOC_START, renderEnvContractDoc } from "./env-contract-doc.ts"

const docPath = new URL("../../../docs/runtime-contract.md", import.meta.url).pathname

/** The doc's generated section; `UPDATE_DOCS=1` rewrites it from the contract first. */
const section = (): string => {
  const doc = readFileSync(docPath, "utf8")
  const start = doc.indexOf(ENV_CONTRACT_DOC_START)
  const end = doc.indexOf(ENV_CONTRACT_DOC_END)
  if (start < 0 || end < start) throw new Error(`${docPath} lacks the env-contract markers`)
  if (process.env.UPDATE_DOCS === "1")
    writeFileSync(docPath, doc.slice(0, start) + renderEnvContractDoc() + doc.slice(end + ENV_CONTRACT_DOC_END.length))
  const current = readFileSync(docPath, "utf8")
  return current.slice(
    current.indexOf(ENV_CONTRACT_DOC_START),
    current.indexOf(ENV_CONTRACT_DOC_END) + ENV_CONTRACT_DOC_END.length,
  )
}

describe("docs/runtime-contract.md", () => {
  it("shows every variable and every tenant-side rule exactly as the env contract declares them", () => {
    const shown = section()
    expect(shown).toBe(renderEnvContractDoc())
    for (const spec of EnvContract) expect(shown).toMatch(new RegExp(`^\\| \`${spec.name}\` +\\|`, "m"))
  })

  it("tells the tenant's code what the shared servers do not isolate", () => {
    const rules = (name: string) => EnvContract.find((spec) => spec.name === name)?.rules?.join("\n") ?? ""
    expect(rules("POSTGRES_DB")).toContain("No `LISTEN`/`NOTIFY`")
    expect(rules("POSTGRES_DB")).toMatch(/No advisory locks/)
    expect(rules("REDIS_KEY_PREFIX")).toContain("No `KEYS`, `SCAN`")
    expect(rules("REDIS_KEY_PREFIX")).toContain("`PSUBSCRIBE` only with the exact pattern `<prefix>*`")
    expect(rules("REDIS_KEY_PREFIX")).toMatch(/Lua .* only for tier enterprise,/)
  })
})
