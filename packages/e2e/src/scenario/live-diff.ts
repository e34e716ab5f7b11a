const SUFFIX: Readonly<Record<string, number>> = {
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
}

/** A Kubernetes quantity as a number ("1000m" and "1" are the same), or undefined if not one. */
export const quantity = (value: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value)
  const scale = match ? SUFFIX[match[2] ?? ""] : undefined
  return match?.[1] !== undefined && scale !== undefined ? Number(match[1]) * scale : undefined
}

const same = (expected: unknown, actual: unknown): boolean => {
  if (expected === actual) return true
  if (typeof expected === "string" && typeof actual === "string") {
    const [a, b] = [quantity(expected), quantity(actual)]
    return a !== undefined && a === b
  }
  return false
}

/**
 * Where the live object differs from what synth wrote: every synthesized field must be present
 * with the same value (quantities compared by amount, since the server canonicalizes them);
 * fields the server adds (defaults, status, metadata) are not differences.
 */
export const missingFromLive = (expected: unknown, actual: unknown, path = ""): ReadonlyArray<string> => {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return [`${path}: expected ${expected.length} items, live has ${Array.isArray(actual) ? actual.length : "none"}`]
    return expected.flatMap((item, index) => missingFromLive(item, actual[index], `${path}[${index}]`))
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) return [`${path}: missing`]
    return Object.entries(expected).flatMap(([key, value]) =>
      missingFromLive(value, (actual as Record<string, unknown>)[key], path ? `${path}.${key}` : key),
    )
  }
  return same(expected, actual)
    ? []
    : [`${path}: synthesized ${JSON.stringify(expected)}, live ${JSON.stringify(actual)}`]
}
