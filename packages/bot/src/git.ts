import { execFile } from "node:child_process"
import { Effect, Schema } from "effect"

export class GitError extends Schema.TaggedError<GitError>()("GitError", {
  args: Schema.Array(Schema.String),
  stderr: Schema.String,
  code: Schema.Number,
}) {
  override get message(): string {
    return `git ${this.args.join(" ")} failed (${this.code}): ${this.stderr.trim()}`
  }
}

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
                stderr: String(stderr),
                code: typeof error.code === "number" ? error.code : 1,
              }),
            ),
          )
        else resume(Effect.succeed(String(stdout)))
      },
    )
  })
