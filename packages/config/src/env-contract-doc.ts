import { EnvContract, type EnvVarSpec } from "./env-contract.ts"

/** Where the rendered contract sits in docs/runtime-contract.md. */
export const ENV_CONTRACT_DOC_START = "<!-- env-contract: generated from packages/config/src/env-contract.ts -->"
export const ENV_CONTRACT_DOC_END = "<!-- /env-contract -->"

const cell = (text: string) => text.replaceAll("|", "\\|")

const modes = (spec: EnvVarSpec) => (spec.modes === undefined ? "all" : spec.modes.join(", "))

/** A Markdown table with its columns padded to their widest cell, as the repository's formatter writes it. */
const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? "").length)),
  )
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(" | ")} |`
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)]
}

/**
 * The env contract as Markdown: one table row per variable, then the rules a tenant's code must
 * follow, under the variable they belong to. The doc holds exactly this between its markers
 * (checked by a test), so the contract and its description never drift apart.
 */
export const renderEnvContractDoc = (): string =>
  [
    ENV_CONTRACT_DOC_START,
    "",
    ...table(
      ["variable", "source", "secret", "required", "modes", "description"],
      EnvContract.map((spec) => [
        `\`${spec.name}\``,
        spec.source,
        spec.secret ? "yes" : "no",
        spec.required ? "yes" : "no",
        modes(spec),
        cell(spec.description),
      ]),
    ),
    "",
    "### What a tenant's code must not rely on",
    "",
    ...EnvContract.filter((spec) => spec.rules !== undefined).flatMap((spec) => [
      `\`${spec.name}\`:`,
      "",
      ...(spec.rules ?? []).map((rule) => `- ${rule}`),
      "",
    ]),
    ENV_CONTRACT_DOC_END,
  ].join("\n")
