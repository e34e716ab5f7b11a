import { decodeTenant, type InvalidConfig, type TenantInput } from "@ppi/config"
import { Context, Effect, Layer, Schema } from "effect"
import { AuditLog } from "./audit-log.ts"
import type { FileFailed } from "./file-system.ts"
import { call, GitHub, type GitHubError } from "./github.ts"
import { readTenantFile, renderTenantFile } from "./tenant-file.ts"

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

type LifecycleError = GitHubError | InvalidConfig | TenantNotFound | TenantExists | FileFailed

/** The repository the pull requests go to, and the branch they target. */
interface Repository {
  readonly github: GitHub["Service"]
  readonly base: string
}

/** A file's text and blob sha on `ref`, or `undefined` when it does not exist there. */
const fileOn = ({ github: { octokit, owner, repo } }: Repository, path: string, ref: string) =>
  call("get content", () => octokit.rest.repos.getContent({ owner, repo, path, ref })).pipe(
    Effect.map((response) => {
      const data = response.data as { content?: string; sha?: string }
      return data.content === undefined
        ? undefined
        : { text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha }
    }),
    Effect.catchTag("GitHubError", (error) => (error.status === 404 ? Effect.succeed(undefined) : Effect.fail(error))),
  )

interface PullRequestChange {
  readonly branch: string
  readonly path: string
  readonly content: string
  readonly title: string
  readonly body: string
}

/** The branch off `base`, created unless it already exists. */
const branchOff = ({ github: { octokit, owner, repo }, base }: Repository, branch: string) =>
  Effect.gen(function* () {
    const baseRef = yield* call("get ref", () => octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` }))
    yield* call("create ref", () =>
      octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: baseRef.data.object.sha }),
    ).pipe(Effect.catchTag("GitHubError", (error) => (error.status === 422 ? Effect.void : Effect.fail(error))))
  })

/**
 * The open pull request for `change.branch`, or a new one writing `change.content` to `change.path`;
 * each step is skipped when already done, so a retry after a partial failure completes it.
 */
const openPullRequest = (repository: Repository, change: PullRequestChange) =>
  Effect.gen(function* () {
    const { octokit, owner, repo } = repository.github
    const open = yield* call("list pulls", () =>
      octokit.rest.pulls.list({ owner, repo, head: `${owner}:${change.branch}`, state: "open" }),
    )
    const existing = open.data[0]
    if (existing !== undefined) return { number: existing.number, url: existing.html_url, created: false }
    yield* branchOff(repository, change.branch)
    const current = yield* fileOn(repository, change.path, change.branch)
    if (current?.text !== change.content)
      yield* call("write file", () =>
        octokit.rest.repos.createOrUpdateFileContents({
          owner,
          repo,
          path: change.path,
          branch: change.branch,
          message: change.title,
          content: Buffer.from(change.content).toString("base64"),
          ...(current?.sha ? { sha: current.sha } : {}),
        }),
      )
    const pull = yield* call("create pull", () =>
      octokit.rest.pulls.create({
        owner,
        repo,
        head: change.branch,
        base: repository.base,
        title: change.title,
        body: change.body,
      }),
    )
    return { number: pull.data.number, url: pull.data.html_url, created: true }
  })

/** Records how a lifecycle action ended, whether it opened, found or failed to open its PR. */
const audited =
  (audit: AuditLog["Service"], action: "provision" | "decommission", tenant: string, actor: string) =>
  <E extends Error>(effect: Effect.Effect<PullRequestRef, E>): Effect.Effect<PullRequestRef, E | FileFailed> =>
    effect.pipe(
      Effect.tap((pr) =>
        audit.record({ actor, action, tenant, pullRequest: pr.url, outcome: pr.created ? "opened" : "existing" }),
      ),
      Effect.tapError((error) =>
        audit.record({
          actor,
          action,
          tenant,
          pullRequest: undefined,
          outcome: "failed",
          detail: error.message,
        }),
      ),
    )

const provision = (repository: Repository, input: TenantInput, actor: string) =>
  Effect.gen(function* () {
    const path = `tenants/${input.name}.ts`
    yield* decodeTenant(path, input)
    if ((yield* fileOn(repository, path, repository.base)) !== undefined)
      return yield* new TenantExists({ tenant: input.name })
    return yield* openPullRequest(repository, {
      branch: `tenant/provision-${input.name}`,
      path,
      content: renderTenantFile(input),
      title: `Provision tenant ${input.name} (${input.tier})`,
      body: `Adds \`${path}\`. The rendered diff follows as a comment; merging deploys the tenant.\n\nRequested by ${actor}.`,
    })
  })

const decommission = (repository: Repository, tenant: string, actor: string) =>
  Effect.gen(function* () {
    const path = `tenants/${tenant}.ts`
    const current = yield* fileOn(repository, path, repository.base)
    if (current === undefined) return yield* new TenantNotFound({ tenant })
    const next = { ...(yield* readTenantFile(path, current.text)), state: "decommissioned" as const }
    yield* decodeTenant(path, next)
    return yield* openPullRequest(repository, {
      branch: `tenant/decommission-${tenant}`,
      path,
      content: renderTenantFile(next),
      title: `Decommission tenant ${tenant}`,
      body: `Sets \`state: "decommissioned"\` in \`${path}\`: on merge its workload is removed; its namespace, credentials and data are retained.\n\nRequested by ${actor}.`,
    })
  })

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
        const repository: Repository = { github: yield* GitHub, base }
        const audit = yield* AuditLog
        return TenantLifecycle.of({
          provision: (input, actor) =>
            provision(repository, input, actor).pipe(audited(audit, "provision", input.name, actor)),
          decommission: (tenant, actor) =>
            decommission(repository, tenant, actor).pipe(audited(audit, "decommission", tenant, actor)),
        })
      }),
    )
}
