import { EnvContract, type EnvVarSpec } from "./env-contract.ts"

/** Where the rendered contract sits in docs/runtime-contract.md. */
export const ENV_CONTRACT_DOC_START = "<!-- env-contract: generated from packages/config/src/env-contract.ts -->"
export const ENV_CONTRACT_DOC_END = "<!-- /env-contract -->"

const cell = (text: string) => text.replaceAll("|", "\\|")

const modes = (spec: EnvVarSpec) => (spec.modes === undefined ? "all" : spec.modes.join(", "))

/**
 * The env contract as Markdown: one table row per variable, then the rules a tenant's code must
 * follow, under the variable they belong to. The doc holds exactly this between its markers
 * (checked by a test), so the contract and its description never drift apart.
 */
export const renderEnvContractDoc = (): string =>
  [
    ENV_CONTRACT_DOC_START,
    "",
    "| variable | source | secret | required | modes | description |",
    "| -------- | ------ | ------ | -------- | ----- | ----------- |",
    ...EnvContract.map(
      (spec) =>
        `| \`${spec.name}\` | ${spec.source} | ${spec.secret ? "yes" : "no"} | ${spec.required ? "yes" : "no"} | ${modes(spec)} | ${cell(spec.description)} |`,
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
