import { findPlaintextSecrets } from "@ppi/policy"
import type { Tree } from "@ppi/synth"
import { parseAllDocuments, stringify } from "yaml"

/** One Kubernetes object of a synthesized tree, wherever it sits (one per file, or many per file). */
export interface ManifestObject {
  /** `apiVersion/kind/namespace/name`: the object's identity, independent of the file layout. */
  readonly id: string
  readonly kind: string
  readonly name: string
  readonly namespace: string | undefined
  /** The first folder of the file: a tenant, or the fleet folder. */
  readonly tenant: string
  readonly file: string
  /** The object as YAML, secrets redacted: the text the diff is computed on. */
  readonly text: string
}

/** Files of the deploy branch that are not manifests (its README, .gitattributes): never part of a diff. */
export const isManifestFile = (file: string): boolean => /\.ya?ml$/.test(file) && file.includes("/")

const REDACTED = "[redacted]"

/** `spec.template.spec.containers[0].env[1].value` → its segments. */
const segments = (path: string): ReadonlyArray<string | number> =>
  [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] !== undefined ? Number(match[2]) : (match[1] as string),
  )

const redactAt = (root: Record<string, unknown>, path: string): void => {
  const parts = segments(path)
  let node: unknown = root
  for (const part of parts.slice(0, -1)) node = (node as Record<string | number, unknown> | undefined)?.[part]
  const last = parts.at(-1)
  if (last !== undefined && typeof node === "object" && node !== null)
    (node as Record<string | number, unknown>)[last] = REDACTED
}

/**
 * Hides what is a secret and nothing else: the values of a Secret's data, and every value the
 * plaintext-secrets guardrail would flag (credential-named keys holding a literal, key- or
 * token-shaped strings). Booleans and counts (`automountServiceAccountToken: false`, a quota's
 * `secrets: "16"`) stay visible: a reviewer needs them.
 */
export const redactObject = (object: Record<string, unknown>): Record<string, unknown> => {
  const copy = structuredClone(object)
  if (copy.kind === "Secret")
    for (const field of ["data", "stringData"])
      if (typeof copy[field] === "object" && copy[field] !== null)
        copy[field] = Object.fromEntries(Object.keys(copy[field] as object).map((key) => [key, REDACTED]))
  for (const finding of findPlaintextSecrets(copy)) redactAt(copy, finding.path)
  return copy
}

const field = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

/**
 * Every object of a tree, by identity. Splits multi-document files, skips the deploy branch's
 * housekeeping files; a document that is not an object (an empty one) is skipped.
 */
export const treeObjects = (tree: Tree): ReadonlyMap<string, ManifestObject> => {
  const objects = new Map<string, ManifestObject>()
  for (const [file, content] of [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!isManifestFile(file)) continue
    for (const document of parseAllDocuments(content)) {
      const value: unknown = "toJS" in document ? document.toJS() : undefined
      if (typeof value !== "object" || value === null || Array.isArray(value)) continue
      const object = value as Record<string, unknown>
      const metadata = (object.metadata ?? {}) as Record<string, unknown>
      const kind = field(object.kind) ?? "?"
      const name = field(metadata.name) ?? "?"
      const namespace = field(metadata.namespace)
      const id = `${field(object.apiVersion) ?? "?"}/${kind}/${namespace ?? ""}/${name}`
      objects.set(id, {
        id,
        kind,
        name,
        namespace,
        tenant: file.split("/")[0] ?? file,
        file,
        text: stringify(redactObject(object), { lineWidth: 0 }),
      })
    }
  }
  return objects
}
