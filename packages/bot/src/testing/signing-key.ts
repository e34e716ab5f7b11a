import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface TestSigningKey {
  readonly keyID: string
  readonly publicKey: string
  readonly privateKey: string
}

/** A fresh ed25519 signing key, as docs/signing.md has an operator make the bot's (no passphrase). */
export const generateSigningKey = (name = "ppi-bot"): TestSigningKey => {
  const home = mkdtempSync(join(tmpdir(), "ppi-gpg-"))
  const gpg = (...args: ReadonlyArray<string>) =>
    execFileSync("gpg", ["--batch", "--quiet", ...args], { env: { ...process.env, GNUPGHOME: home }, encoding: "utf8" })
  try {
    gpg("--passphrase", "", "--quick-gen-key", `${name} <${name}@example.invalid>`, "ed25519", "sign", "never")
    const keyID =
      gpg("--with-colons", "--list-secret-keys")
        .split("\n")
        .find((line) => line.startsWith("sec:"))
        ?.split(":")[4] ?? ""
    return {
      keyID,
      publicKey: gpg("--armor", "--export", keyID),
      privateKey: gpg("--armor", "--export-secret-keys", keyID),
    }
  } finally {
    execFileSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: home } })
    rmSync(home, { recursive: true, force: true })
  }
}

/** The platform file's text with `keys` as the deploy branch's signing keys. */
export const withSigningKeys = (platformText: string, keys: ReadonlyArray<TestSigningKey>): string =>
  platformText.replace(
    /deploy: \{/,
    `deploy: {\n    signingKeys: ${JSON.stringify(keys.map(({ keyID, publicKey }) => ({ keyID, publicKey })))},`,
  )
