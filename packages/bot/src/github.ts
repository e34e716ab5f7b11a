import { Octokit } from "@octokit/rest"
import { Context, Effect, Layer, Schema } from "effect"
import { redactCredentials } from "./git.ts"

/** What the API client throws: the HTTP status and a message cleaned of the token (the response, which may echo it, is dropped). */
export class GitHubRequestFailed extends Error {
  override readonly name = "GitHubRequestFailed"
  readonly status: number | undefined
  constructor(message: string, status: number | undefined) {
    super(message)
    this.status = status
  }
}

const clientFor = (token: string, baseUrl: string | undefined) => {
  const octokit = new Octokit({ auth: token, ...(baseUrl ? { baseUrl } : {}), userAgent: "ppi-bot" })
  octokit.hook.error("request", (error) => {
    const status = (error as { status?: unknown }).status
    throw new GitHubRequestFailed(
      redactCredentials(error instanceof Error ? error.message : String(error), [token]),
      typeof status === "number" ? status : undefined,
    )
  })
  return octokit
}

/** The GitHub API client, as a service: production builds it from a token, tests point it at a local server. */
export class GitHub extends Context.Service<
  GitHub,
  { readonly octokit: Octokit; readonly owner: string; readonly repo: string }
>()("@ppi/bot/GitHub") {
  static readonly layer = (options: {
    readonly token: string
    readonly owner: string
    readonly repo: string
    readonly baseUrl?: string
  }) =>
    Layer.succeed(GitHub, {
      octokit: clientFor(options.token, options.baseUrl),
      owner: options.owner,
      repo: options.repo,
    })
}

/** An API call failed; `status` is the HTTP status (0 when there was no response), `cause` what was thrown. */
export class GitHubError extends Schema.TaggedError<GitHubError>()("GitHubError", {
  operation: Schema.String,
  status: Schema.Number,
  cause: Schema.Defect(),
}) {
  override get message(): string {
    return redactCredentials(
      `GitHub ${this.operation} failed (${this.status}): ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`,
    )
  }
}

/** Calls the API, turning a thrown HTTP error into a typed one. */
export const call = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, GitHubError> =>
  Effect.tryPromise({
    try: run,
    catch: (error) =>
      new GitHubError({
        operation,
        status: typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : 0,
        cause: error,
      }),
  })
