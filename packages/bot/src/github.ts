import { Octokit } from "@octokit/rest"
import { Context, Effect, Layer, Schema } from "effect"

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
      octokit: new Octokit({
        auth: options.token,
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        userAgent: "ppi-bot",
      }),
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
    return `GitHub ${this.operation} failed (${this.status}): ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
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
