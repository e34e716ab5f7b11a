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

const walk = (value: unknown, path: string, key: string, findings: Array<SecretFinding>): void => {
  if (typeof value === "string") {
    for (const [what, pattern] of KNOWN_FORMATS)
      if (pattern.test(value)) findings.push({ path, reason: `looks like ${what}` })
    for (const word of value.split(/[\s"'`,;=]+/))
      if (looksRandom(word.replace(/^.*@sha256:/, "")))
        findings.push({ path, reason: "looks like a generated key or password" })
    // A count (a quota of `secrets`) is not a credential.
    if (CREDENTIAL_KEY.test(key) && value !== "" && !/^\d+$/.test(value))
      findings.push({ path, reason: `"${key}" holds a literal value` })
    return
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`, key, findings)
  } else if (typeof value === "object" && value !== null)
    for (const [name, child] of Object.entries(value))
      walk(child, path === "" ? name : `${path}.${name}`, name, findings)
}

export const findPlaintextSecrets = (object: Readonly<Record<string, unknown>>): ReadonlyArray<SecretFinding> => {
  const findings: Array<SecretFinding> = []
  if (object.kind === "Secret" && (object.data !== undefined || object.stringData !== undefined))
    findings.push({ path: object.data !== undefined ? "data" : "stringData", reason: "a Secret with data in git" })
  walk(object, "", "", findings)
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
