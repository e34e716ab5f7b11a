import { findPlaintextSecrets, redactSecrets } from "@ppi/policy"
import type { Tree } from "@ppi/synth"
import { parse, stringify } from "yaml"

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
const redactObject = (object: Record<string, unknown>): Record<string, unknown> => {
  const copy = structuredClone(object)
  if (copy.kind === "Secret")
    for (const field of ["data", "stringData"])
      if (typeof copy[field] === "object" && copy[field] !== null)
        copy[field] = Object.fromEntries(Object.keys(copy[field] as object).map((key) => [key, REDACTED]))
  for (const finding of findPlaintextSecrets(copy)) redactAt(copy, finding.path)
  return copy
}

const holdsSecrets = (object: Record<string, unknown>): boolean =>
  (object.kind === "Secret" && (object.data !== undefined || object.stringData !== undefined)) ||
  findPlaintextSecrets(object).length > 0

const field = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

/** The documents of a YAML file, as their own text (`---` separates them). */
const documents = (content: string): ReadonlyArray<string> =>
  content
    .split(/^---[ \t]*$/m)
    .map((text) => text.replace(/^\n+/, ""))
    .filter((text) => text.trim() !== "")

const scalar = (raw: string | undefined): string | undefined => {
  if (raw === undefined) return undefined
  try {
    return raw.startsWith('"') ? (JSON.parse(raw) as string) : raw
  } catch {
    return undefined
  }
}

/**
 * The identity of a plain block-style document read off its top-level lines, without a YAML
 * parse (a fleet's first publish has tens of thousands); undefined when the text is not that simple.
 */
const quickIdentity = (text: string) => {
  const apiVersion = scalar(/^apiVersion: (.+)$/m.exec(text)?.[1])
  const kind = scalar(/^kind: (.+)$/m.exec(text)?.[1])
  const metadata = /^metadata:\n((?: {2}.*\n|\s*\n)*)/m.exec(text)?.[1]
  const name = scalar(metadata && /^ {2}name: (.+)$/m.exec(metadata)?.[1])
  const namespace = scalar(metadata && /^ {2}namespace: (.+)$/m.exec(metadata)?.[1])
  return apiVersion && kind && name ? { apiVersion, kind, name, namespace } : undefined
}

const parsed = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = parse(text)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Every object of a tree, by identity. Splits multi-document files and skips the deploy
 * branch's housekeeping files. An object keeps its own text unless something in it is redacted
 * (synth's guardrails keep secrets out, so that is rare); a document that does not parse as an
 * object is kept as text under its file's name, so nothing is ever silently left out.
 */
export const treeObjects = (tree: Tree): ReadonlyMap<string, ManifestObject> => {
  const objects = new Map<string, ManifestObject>()
  for (const [file, content] of [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!isManifestFile(file)) continue
    const tenant = file.split("/")[0] ?? file
    for (const [index, source] of documents(content).entries()) {
      const text = source.endsWith("\n") ? source : `${source}\n`
      // Nothing secret-shaped in the text (the guardrail's own text check): identity from the lines.
      const quick = !/^kind: Secret$/m.test(text) && redactSecrets(text) === text ? quickIdentity(text) : undefined
      if (quick !== undefined) {
        const id = `${quick.apiVersion}/${quick.kind}/${quick.namespace ?? ""}/${quick.name}`
        objects.set(id, { id, kind: quick.kind, name: quick.name, namespace: quick.namespace, tenant, file, text })
        continue
      }
      const object = parsed(text)
      if (object === undefined) {
        const id = `file/${file}#${index}`
        objects.set(id, { id, kind: "YAML", name: `${file}#${index}`, namespace: undefined, tenant, file, text })
        continue
      }
      const metadata = (object.metadata ?? {}) as Record<string, unknown>
      const kind = field(object.kind) ?? "?"
      const name = field(metadata.name) ?? "?"
      const namespace = field(metadata.namespace)
      const id = `${field(object.apiVersion) ?? "?"}/${kind}/${namespace ?? ""}/${name}`
      const clean = !holdsSecrets(object)
      objects.set(id, {
        id,
        kind,
        name,
        namespace,
        tenant,
        file,
        text: clean ? text : stringify(redactObject(object), { lineWidth: 0 }),
      })
    }
  }
  return objects
}
