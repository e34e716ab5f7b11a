/**
 * A small, deterministic YAML emitter for Kubernetes objects: keys sorted (apiVersion, kind,
 * metadata first at the top), block style, strings plain only when YAML 1.1 and 1.2 read them
 * back as the same string, JSON-quoted otherwise. Serializing dominates a fleet synth, and a
 * generic emitter spends its time on features manifests never use.
 */

const TOP_ORDER = ["apiVersion", "kind", "metadata"]

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const topLevelKeys = (object: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const keys = Object.keys(object).filter((key) => object[key] !== undefined)
  const head = TOP_ORDER.filter((key) => keys.includes(key))
  return [...head, ...keys.filter((key) => !TOP_ORDER.includes(key)).sort(compareKeys)]
}

const sortedKeys = (object: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort(compareKeys)

// Plain scalars: start with a safe character, no ": " or " #", nothing a YAML 1.1 reader
// would turn into a bool, null, number, timestamp or merge key.
const SAFE_PLAIN = /^[A-Za-z_/.][A-Za-z0-9_/.-]*(?:[ ,=@+][A-Za-z0-9_/.\-=@+,]+)*$/
const AMBIGUOUS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN|[-+]?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.?[eE][-+]?[0-9]+|<<)$/

const scalar = (value: string): string =>
  value.length > 0 && SAFE_PLAIN.test(value) && !AMBIGUOUS.test(value) && !/^[0-9]/.test(value)
    ? value
    : JSON.stringify(value)

// Keys repeat across every object of a fleet (`name`, `labels`, `app.kubernetes.io/name`): quote each once.
const keyCache = new Map<string, string>()
const key = (name: string): string => {
  const cached = keyCache.get(name)
  if (cached !== undefined) return cached
  const quoted = scalar(name)
  if (keyCache.size < 10_000) keyCache.set(name, quoted)
  return quoted
}

// Multi-line text (scripts, certificates) reads best as a literal block; anything with control
// characters, or a first line starting with a space (which would need an indentation indicator),
// stays JSON-quoted.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const BLOCK_SAFE = /^[^\s\x00-\x1f\x7f][^\r\x00-\x08\x0b-\x1f\x7f]*$/

const literalBlock = (value: string, indent: string): string | undefined => {
  if (!value.includes("\n") || !BLOCK_SAFE.test(value)) return undefined
  const trailing = /\n*$/.exec(value)?.[0].length ?? 0
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+"
  const body = trailing === 0 ? value : value.slice(0, value.length - trailing)
  const lines = body.split("\n").map((line) => (line === "" ? "" : `${indent}${line}`))
  return [`|${chomp}`, ...lines, ...Array.from({ length: Math.max(0, trailing - 1) }, () => "")].join("\n")
}

const hasDefinedKey = (object: Readonly<Record<string, unknown>>): boolean => {
  for (const name in object) if (Object.hasOwn(object, name) && object[name] !== undefined) return true
  return false
}

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const leaf = (value: unknown): string | undefined => {
  if (value === null) return "null"
  switch (typeof value) {
    case "string":
      return scalar(value)
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`cannot serialize the number ${value}`)
      return String(value)
    case "boolean":
      return value ? "true" : "false"
    default:
      if (Array.isArray(value) && value.length === 0) return "[]"
      if (isPlainObject(value) && !hasDefinedKey(value)) return "{}"
      return undefined
  }
}

const emitMapping = (
  object: Readonly<Record<string, unknown>>,
  keys: ReadonlyArray<string>,
  indent: string,
  out: Array<string>,
  firstPrefix: string | undefined,
): void => {
  keys.forEach((name, index) => {
    const prefix = index === 0 && firstPrefix !== undefined ? firstPrefix : indent
    emitEntry(`${prefix}${key(name)}:`, object[name], `${indent}  `, indent, out)
  })
}

const emitSequence = (items: ReadonlyArray<unknown>, indent: string, out: Array<string>): void => {
  for (const item of items) {
    const simple = leaf(item)
    if (simple !== undefined) out.push(`${indent}- ${simple}`)
    else if (Array.isArray(item)) {
      out.push(`${indent}-`)
      emitSequence(item, `${indent}  `, out)
    } else if (isPlainObject(item)) emitMapping(item, sortedKeys(item), `${indent}  `, out, `${indent}- `)
    else throw new TypeError(`cannot serialize ${typeof item}`)
  }
}

function emitEntry(head: string, value: unknown, childIndent: string, indent: string, out: Array<string>): void {
  const block = typeof value === "string" ? literalBlock(value, childIndent) : undefined
  if (block !== undefined) {
    out.push(`${head} ${block}`)
    return
  }
  const simple = leaf(value)
  if (simple !== undefined) out.push(`${head} ${simple}`)
  else if (Array.isArray(value)) {
    out.push(head)
    // Sequences under a mapping key sit at the key's indentation, as kubectl writes them.
    emitSequence(value, indent, out)
  } else if (isPlainObject(value)) {
    out.push(head)
    emitMapping(value, sortedKeys(value), childIndent, out, undefined)
  } else throw new TypeError(`cannot serialize ${typeof value}`)
}

/** One Kubernetes object → one YAML document, newline-terminated. */
export const toCanonicalYaml = (object: Readonly<Record<string, unknown>>): string => {
  const keys = topLevelKeys(object)
  if (keys.length === 0) return "{}\n"
  const out: Array<string> = []
  emitMapping(object, keys, "", out, undefined)
  out.push("")
  return out.join("\n")
}
