import { decodeTenant, InvalidConfig, type TenantInput } from "@ppi/config"
import { parseDataFile } from "@ppi/data-file"
import { Context, Effect, Layer, Schema } from "effect"
import { AuditLog } from "./audit-log.ts"
import { call, GitHub, type GitHubError } from "./github.ts"
import { renderTenantFile } from "./tenant-file.ts"

export interface PullRequestRef {
  readonly number: number
  readonly url: string
  readonly created: boolean
}

export class TenantNotFound extends Schema.TaggedError<TenantNotFound>()("TenantNotFound", { tenant: Schema.String }) {
  override get message(): string {
    return `tenants/${this.tenant}.ts does not exist on the base branch`
  }
}
export class TenantExists extends Schema.TaggedError<TenantExists>()("TenantExists", { tenant: Schema.String }) {
  override get message(): string {
    return `tenants/${this.tenant}.ts already exists on the base branch`
  }
}

type LifecycleError = GitHubError | InvalidConfig | TenantNotFound | TenantExists

/**
 * Opens the pull requests that add or decommission a tenant; merging them is the only way a
 * tenant changes. Idempotent: a second call returns the open PR and creates nothing.
 */
export class TenantLifecycle extends Context.Service<
  TenantLifecycle,
  {
    readonly provision: (input: TenantInput, actor: string) => Effect.Effect<PullRequestRef, LifecycleError>
    readonly decommission: (tenant: string, actor: string) => Effect.Effect<PullRequestRef, LifecycleError>
  }
>()("@ppi/bot/TenantLifecycle") {
  static readonly layer = (base = "main") =>
    Layer.effect(
      TenantLifecycle,
      Effect.gen(function* () {
        const { octokit, owner, repo } = yield* GitHub
        const audit = yield* AuditLog

        const readFile = (path: string, ref: string) =>
          call("get content", () => octokit.rest.repos.getContent({ owner, repo, path, ref })).pipe(
            Effect.map((response) => {
              const data = response.data as { content?: string; sha?: string }
              return data.content === undefined
                ? undefined
                : { text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha }
            }),
            Effect.catchTag("GitHubError", (error) =>
              error.status === 404 ? Effect.succeed(undefined) : Effect.fail(error),
            ),
          )

        const openPullRequest = (options: {
          branch: string
          path: string
          content: string
          title: string
          body: string
        }) =>
          Effect.gen(function* () {
            const open = yield* call("list pulls", () =>
              octokit.rest.pulls.list({ owner, repo, head: `${owner}:${options.branch}`, state: "open" }),
            )
            const existing = open.data[0]
            if (existing !== undefined) return { number: existing.number, url: existing.html_url, created: false }
            const baseRef = yield* call("get ref", () => octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` }))
            yield* call("create ref", () =>
              octokit.rest.git.createRef({
                owner,
                repo,
                ref: `refs/heads/${options.branch}`,
                sha: baseRef.data.object.sha,
              }),
            ).pipe(Effect.catchTag("GitHubError", (error) => (error.status === 422 ? Effect.void : Effect.fail(error))))
            const current = yield* readFile(options.path, options.branch)
            if (current?.text !== options.content)
              yield* call("write file", () =>
                octokit.rest.repos.createOrUpdateFileContents({
                  owner,
                  repo,
                  path: options.path,
                  branch: options.branch,
                  message: options.title,
                  content: Buffer.from(options.content).toString("base64"),
                  ...(current?.sha ? { sha: current.sha } : {}),
                }),
              )
            const pull = yield* call("create pull", () =>
              octokit.rest.pulls.create({
                owner,
                repo,
                head: options.branch,
                base,
                title: options.title,
                body: options.body,
              }),
            )
            return { number: pull.data.number, url: pull.data.html_url, created: true }
          })

        const audited =
          (action: "provision" | "decommission", tenant: string, actor: string) =>
          <E>(effect: Effect.Effect<PullRequestRef, E>) =>
            effect.pipe(
              Effect.tap((pr) =>
                audit.record({
                  actor,
                  action,
                  tenant,
                  pullRequest: pr.url,
                  outcome: pr.created ? "opened" : "existing",
                }),
              ),
              Effect.tapError((error) =>
                audit.record({
                  actor,
                  action,
                  tenant,
                  pullRequest: undefined,
                  outcome: "failed",
                  detail: String((error as { message?: string }).message ?? error),
                }),
              ),
            )

        return TenantLifecycle.of({
          provision: (input, actor) =>
            Effect.gen(function* () {
              const path = `tenants/${input.name}.ts`
              yield* decodeTenant(path, input)
              if ((yield* readFile(path, base)) !== undefined) return yield* new TenantExists({ tenant: input.name })
              return yield* openPullRequest({
                branch: `tenant/provision-${input.name}`,
                path,
                content: renderTenantFile(input),
                title: `Provision tenant ${input.name} (${input.tier})`,
                body: `Adds \`${path}\`. The rendered diff follows as a comment; merging deploys the tenant.\n\nRequested by ${actor}.`,
              })
            }).pipe(audited("provision", input.name, actor)),

          decommission: (tenant, actor) =>
            Effect.gen(function* () {
              const path = `tenants/${tenant}.ts`
              const current = yield* readFile(path, base)
              if (current === undefined) return yield* new TenantNotFound({ tenant })
              // Parsed as data, never run: the bot holds a write token.
              const parsed = parseDataFile(path, current.text)
              if (parsed._tag === "Refused")
                return yield* new InvalidConfig({
                  issues: parsed.problems.map(({ line, column, path: field, message }) => ({
                    file: path,
                    path: field,
                    message,
                    location: { line, column },
                  })),
                })
              const next = { ...(parsed.value as TenantInput), state: "decommissioned" as const }
              yield* decodeTenant(path, next)
              return yield* openPullRequest({
                branch: `tenant/decommission-${tenant}`,
                path,
                content: renderTenantFile(next),
                title: `Decommission tenant ${tenant}`,
                body: `Sets \`state: "decommissioned"\` in \`${path}\`: on merge its workload is removed; its namespace, credentials and data are retained.\n\nRequested by ${actor}.`,
              })
            }).pipe(audited("decommission", tenant, actor)),
        })
      }),
    )
}
