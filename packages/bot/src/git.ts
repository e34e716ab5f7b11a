import { execFile } from "node:child_process"
import { Effect, Schema } from "effect"

export class GitError extends Schema.TaggedError<GitError>()("GitError", {
  args: Schema.Array(Schema.String),
  stderr: Schema.String,
  code: Schema.Number,
}) {
  override get message(): string {
    return redactCredentials(`git ${this.args.join(" ")} failed (${this.code}): ${this.stderr.trim()}`)
  }
}

/**
 * Hides credentials wherever a message may carry them: the user-info part of any URL
 * (`https://x-access-token:ghs_…@github.com` → `https://***@github.com`), HTTP authorization
 * header values, GitHub-shaped tokens, and the exact `secrets` given (with the basic-auth form
 * git sends them in), whatever their shape. Every message the bot prints goes through this.
 */
export const redactCredentials = (text: string, secrets: ReadonlyArray<string | undefined> = []): string =>
  secrets
    // A secret this short is a test's placeholder: hiding it would garble every word that holds it.
    .filter((secret): secret is string => secret !== undefined && secret.length >= 8)
    .flatMap((secret) => [secret, Buffer.from(`x-access-token:${secret}`).toString("base64")])
    .reduce((redacted, secret) => redacted.split(secret).join("***"), text)
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, "$1***@")
    .replace(/(authorization:\s*(?:basic|bearer|token)\s+)[^\s"']+/gi, "$1***")
    .replace(/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, "***")

/** A remote URL that carries credentials itself: refused, the token goes through the environment. */
export const hasCredentials = (remote: string): boolean => /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]+@/i.test(remote)

/**
 * The environment that lets git authenticate to an https remote with a token, without the token
 * ever being in argv or in a URL (`ps`, logs and error messages show neither): git reads the
 * header from GIT_CONFIG_* variables, scoped to the remote's origin, as actions/checkout does.
 */
export const remoteAuthEnv = (remote: string, token: string | undefined): Readonly<Record<string, string>> => {
  if (token === undefined || token === "" || !/^https?:\/\//.test(remote)) return {}
  const { origin, protocol, hostname } = new URL(remote)
  // Never over plain http, except to a stand-in server on this machine.
  if (protocol === "http:" && hostname !== "127.0.0.1") return {}
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64")
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${origin}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
  }
}

/** The token inside the authorization header `remoteAuthEnv` gave git, so git's own messages can be cleaned of it. */
const tokensIn = (env: Readonly<Record<string, string>>): ReadonlyArray<string> =>
  Object.values(env).flatMap((value) => {
    const basic = /^AUTHORIZATION: basic (\S+)$/.exec(value)?.[1]
    return basic === undefined
      ? []
      : [
          Buffer.from(basic, "base64")
            .toString("utf8")
            .replace(/^x-access-token:/, ""),
        ]
  })

/** Runs git in `cwd`; fails with the command and its stderr. Identity is fixed so commits are reproducible. */
export const git = (cwd: string, ...args: ReadonlyArray<string>): Effect.Effect<string, GitError> =>
  gitWith(cwd, {}, ...args)

export const gitWith = (
  cwd: string,
  env: Readonly<Record<string, string>>,
  ...args: ReadonlyArray<string>
): Effect.Effect<string, GitError> =>
  Effect.callback<string, GitError>((resume) => {
    execFile(
      "git",
      args,
      {
        cwd,
        maxBuffer: 256 * 1024 * 1024,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? "ppi-bot",
          GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? "ppi-bot@users.noreply.github.com",
          GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? "ppi-bot",
          GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? "ppi-bot@users.noreply.github.com",
          GIT_TERMINAL_PROMPT: "0",
          ...env,
        },
      },
      (error, stdout, stderr) => {
        if (error)
          resume(
            Effect.fail(
              new GitError({
                args: [...args],
                // A remote may echo the credentials it got; the error never carries them.
                stderr: redactCredentials(String(stderr), tokensIn(env)),
                code: typeof error.code === "number" ? error.code : 1,
              }),
            ),
          )
        else resume(Effect.succeed(String(stdout)))
      },
    )
  })
