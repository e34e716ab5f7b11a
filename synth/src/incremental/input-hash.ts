import { createHash } from "node:crypto"

/**
 * One thing a tenant's output is made from: its file, the platform file, the synth version, or
 * anything a feature adds (a rollout's image version for the tenant). Named, so the metadata
 * says which input changed and a new input changes every hash it is part of.
 */
export interface NamedInput {
  readonly name: string
  readonly bytes: string | Uint8Array
}

const sha256 = (bytes: string | Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** Each input's sha256 by name, sorted by name: what the metadata file records. */
export const inputDigests = (inputs: ReadonlyArray<NamedInput>): Readonly<Record<string, string>> => {
  const names = inputs.map((input) => input.name)
  const duplicate = names.find((name, index) => names.indexOf(name) !== index)
  // Two inputs of one name would make one of them invisible to the hash.
  if (duplicate !== undefined) throw new Error(`render input "${duplicate}" given twice`)
  return Object.fromEntries(
    [...inputs]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((input) => [input.name, sha256(input.bytes)]),
  )
}

/**
 * Digests of two sets of inputs as one (sorted by name): the fleet's inputs are hashed once per
 * run, not once per tenant (the platform file grows with the fleet).
 */
export const combineDigests = (
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> => {
  const duplicate = Object.keys(b).find((name) => name in a)
  if (duplicate !== undefined) throw new Error(`render input "${duplicate}" given twice`)
  return Object.fromEntries(Object.entries({ ...a, ...b }).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
}

/** One hash over every named input: equal only when every input, and the set of names, is equal. */
export const inputHash = (digests: Readonly<Record<string, string>>): string =>
  sha256(
    Object.entries(digests)
      .map(([name, digest]) => `${name.length}:${name}=${digest}\n`)
      .join(""),
  )
