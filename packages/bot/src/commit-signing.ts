import { spawn } from "node:child_process"
import { chmod, mkdir } from "node:fs/promises"
import { join } from "node:path"
import type { Platform } from "@ppi/config"
import { Effect, Schema } from "effect"
import { type GitError, gitWith } from "./git.ts"

/** The platform requires signed deploy commits and the bot cannot sign with one of its keys. */
export class SigningRefused extends Schema.TaggedError<SigningRefused>()("SigningRefused", {
  reason: Schema.String,
  /** What failed underneath, when something did (not when a key is simply wrong or missing). */
  cause: Schema.optional(Schema.Defect()),
}) {
  override get message(): string {
    const underneath = this.cause instanceof Error ? `: ${this.cause.message}` : ""
    return `not publishing: ${this.reason}${underneath}`
  }
}

/** How `git commit-tree` signs: the options and the environment holding the key. */
export interface Signer {
  readonly args: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly keyID: string
}

/** Runs gpg on its own keyring, feeding `input` on stdin. */
const gpg = (home: string, args: ReadonlyArray<string>, input = "") =>
  Effect.callback<string, Error>((resume) => {
    const child = spawn("gpg", ["--batch", "--quiet", ...args], {
      env: { ...process.env, GNUPGHOME: home },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code) => resume(code === 0 ? Effect.succeed(stdout) : Effect.fail(new Error(stderr.trim()))))
    child.stdin.end(input)
  })

/**
 * The signer for deploy commits: when the platform lists signing keys, the private key given to the
 * bot (armored, from a secret) is imported into a keyring of its own under `work`, and must be one
 * of the listed keys. Without listed keys, commits are unsigned (local trials).
 */
export const signerFor = (
  platform: Platform,
  privateKey: string | undefined,
  work: string,
): Effect.Effect<Signer | undefined, SigningRefused> =>
  Effect.gen(function* () {
    const trusted = platform.deploy.signingKeys.map(({ keyID }) => keyID)
    if (trusted.length === 0) return undefined
    if (privateKey === undefined || privateKey.trim() === "")
      return yield* new SigningRefused({
        reason: `the platform requires deploy commits signed by ${trusted.join(" or ")}: give the bot its key in PPI_SIGNING_KEY`,
      })
    const home = join(work, "gnupg")
    yield* Effect.tryPromise({
      try: () => mkdir(home, { recursive: true }).then(() => chmod(home, 0o700)),
      catch: (cause) => new SigningRefused({ reason: `cannot make a private keyring in ${home}`, cause }),
    })
    // gpg's complaint is dropped on purpose: it may quote a line of the secret it failed to read.
    yield* gpg(home, ["--import"], privateKey).pipe(
      Effect.mapError(() => new SigningRefused({ reason: "PPI_SIGNING_KEY is not an armored GPG private key" })),
    )
    const listed = yield* gpg(home, ["--with-colons", "--list-secret-keys"]).pipe(
      Effect.mapError((cause) => new SigningRefused({ reason: "gpg cannot list the imported key", cause })),
    )
    const keyID = listed
      .split("\n")
      .filter((line) => line.startsWith("sec:"))
      .map((line) => line.split(":")[4] ?? "")
      .find((id) => trusted.includes(id))
    if (keyID === undefined)
      return yield* new SigningRefused({
        reason: `PPI_SIGNING_KEY is not one of the platform's signing keys (${trusted.join(", ")})`,
      })
    return { keyID, args: [`-S${keyID}`], env: { GNUPGHOME: home } }
  })

/** A signed (or, without a signer, plain) commit of `tree` on `parent`. */
export const commitTree = (
  repo: string,
  signer: Signer | undefined,
  tree: string,
  parent: string | undefined,
  message: string,
): Effect.Effect<string, GitError> =>
  gitWith(
    repo,
    signer?.env ?? {},
    "commit-tree",
    tree,
    ...(parent ? ["-p", parent] : []),
    ...(signer?.args ?? []),
    "-m",
    message,
  ).pipe(Effect.map((sha) => sha.trim()))

/** Stops the gpg-agent the signer's keyring started, before its folder is removed. */
export const stopSigningAgent = (work: string): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const child = spawn("gpgconf", ["--kill", "gpg-agent"], {
      env: { ...process.env, GNUPGHOME: join(work, "gnupg") },
      stdio: "ignore",
    })
    child.on("error", () => resume(Effect.void))
    child.on("close", () => resume(Effect.void))
  })
