import type { ObjectRule } from "../kube-object.ts"

/**
 * Finds what must never be committed: a Secret carrying data, a credential-named field holding a
 * literal, or a string shaped like a key, token or password. Used on every synthesized file.
 */
export interface SecretFinding {
  readonly path: string
  readonly reason: string
}

const CREDENTIAL_KEY = /(pass(word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential)s?$/i

const KNOWN_FORMATS: ReadonlyArray<readonly [string, RegExp]> = [
  ["a PEM private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["a GitHub token", /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/],
  ["a Slack token", /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ["a Stripe key", /\b[rs]k_(live|test)_[A-Za-z0-9]{16,}/],
  ["a Resend API key", /\bre_[A-Za-z0-9]{8,}_[A-Za-z0-9]{16,}/],
  ["a JSON Web Token", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  ["a URL with a password", /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i],
]

// Content hashes are not secrets: image digests and our own checksum annotations.
const DIGEST = /^(sha256:)?[0-9a-f]{64}$/

const entropy = (value: string): number => {
  const counts = new Map<string, number>()
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1)
  let bits = 0
  for (const count of counts.values()) bits -= (count / value.length) * Math.log2(count / value.length)
  return bits
}

/**
 * A long, random-looking token with no spaces, mixing cases and digits: what generated passwords
 * and API keys look like. Kubernetes names and content hashes are lowercase, so they never match.
 */
const looksRandom = (value: string): boolean =>
  value.length >= 24 &&
  /^[A-Za-z0-9+/=_-]+$/.test(value) &&
  !DIGEST.test(value) &&
  /\d/.test(value) &&
  /[a-z]/.test(value) &&
  /[A-Z]/.test(value) &&
  entropy(value) > 4

// The shortest value any known format or a generated key can be: shorter strings (names, labels,
// ports — most of an object) skip the regexes, the largest cost of this rule on a fleet.
const SHORTEST_FORMAT = 8
const SHORTEST_KEY = 24

/** `spec.template.spec.containers[0].env[2].value`, built only when something is found. */
const pathText = (segments: ReadonlyArray<string | number>): string =>
  segments.reduce<string>(
    (path, segment) =>
      typeof segment === "number" ? `${path}[${segment}]` : path === "" ? segment : `${path}.${segment}`,
    "",
  )

const walk = (value: unknown, segments: Array<string | number>, key: string, findings: Array<SecretFinding>): void => {
  if (typeof value === "string") {
    if (value.length >= SHORTEST_FORMAT)
      for (const [what, pattern] of KNOWN_FORMATS)
        if (pattern.test(value)) findings.push({ path: pathText(segments), reason: `looks like ${what}` })
    if (value.length >= SHORTEST_KEY)
      for (const word of value.split(/[\s"'`,;=]+/))
        if (looksRandom(word.replace(/^.*@sha256:/, "")))
          findings.push({ path: pathText(segments), reason: "looks like a generated key or password" })
    // A count (a quota of `secrets`) is not a credential.
    if (value !== "" && CREDENTIAL_KEY.test(key) && !/^\d+$/.test(value))
      findings.push({ path: pathText(segments), reason: `"${key}" holds a literal value` })
    return
  }
  if (Array.isArray(value))
    value.forEach((item, index) => {
      segments.push(index)
      walk(item, segments, key, findings)
      segments.pop()
    })
  else if (typeof value === "object" && value !== null)
    for (const name of Object.keys(value)) {
      segments.push(name)
      walk((value as Record<string, unknown>)[name], segments, name, findings)
      segments.pop()
    }
}

export const findPlaintextSecrets = (object: Readonly<Record<string, unknown>>): ReadonlyArray<SecretFinding> => {
  const findings: Array<SecretFinding> = []
  if (object.kind === "Secret" && (object.data !== undefined || object.stringData !== undefined))
    findings.push({ path: object.data !== undefined ? "data" : "stringData", reason: "a Secret with data in git" })
  walk(object, [], "", findings)
  return findings
}

export const noPlaintextSecrets: ObjectRule = {
  id: "secrets/no-plaintext",
  description: "No Secret with data and no key-, token- or password-shaped value in any object",
  check: (object) => findPlaintextSecrets(object).map((finding) => `${finding.path}: ${finding.reason}`),
}

/** Masks anything secret-shaped in free text (a rendered diff line), keeping the rest readable. */
export const redactSecrets = (text: string): string => {
  let redacted = text
  for (const [, pattern] of KNOWN_FORMATS)
    redacted = redacted.replace(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`), "[redacted]")
  redacted = redacted.replace(/[A-Za-z0-9+/=_-]{24,}/g, (word) => (looksRandom(word) ? "[redacted]" : word))
  return redacted.replace(
    /^(\s*[-+ ]?\s*[A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential)s?\s*:\s*)(?!\d+$)(\S.*)$/gim,
    "$1[redacted]",
  )
}
