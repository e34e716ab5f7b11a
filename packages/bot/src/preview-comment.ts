import { constants } from "node:fs"
import { open, readdir } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Schema } from "effect"
import { call, GitHub, type GitHubError } from "./github.ts"
import { fence, isOurComment, RENDERED_DIFF_MARKER } from "./render-diff.ts"
import { upsertStickyComments } from "./sticky-comments.ts"

/** GitHub's limit for one comment body. */
const MAX_BODY_CHARS = 65_536
/** More parts than any real diff needs (a whole fleet's first publish is ~10): a poisoned artifact cannot flood a PR. */
export const MAX_COMMENT_PARTS = 20

/** The fields of a `workflow_run` event the comment job trusts: GitHub sets them, not the PR. */
export const WorkflowRunEvent = Schema.Struct({
  workflow_run: Schema.Struct({
    id: Schema.Number,
    event: Schema.String,
    head_sha: Schema.String.check(Schema.isPattern(/^[0-9a-f]{40}$/)),
    head_branch: Schema.String,
    head_repository: Schema.Struct({ owner: Schema.Struct({ login: Schema.String }) }),
    pull_requests: Schema.Array(Schema.Struct({ number: Schema.Number, head: Schema.Struct({ sha: Schema.String }) })),
  }),
})
export type WorkflowRunEvent = typeof WorkflowRunEvent.Type

/** The preview's artifact or its run do not add up: nothing is posted. */
export class PreviewRefused extends Schema.TaggedError<PreviewRefused>()("PreviewRefused", {
  reason: Schema.String,
}) {
  override get message(): string {
    return `not posting the preview: ${this.reason}`
  }
}

const refuse = (reason: string) => new PreviewRefused({ reason })

/** One file of the artifact: regular (never a link out of it), of bounded size. */
const readArtifactFile = (dir: string, name: string, maxBytes: number) =>
  Effect.tryPromise({
    try: async () => {
      const handle = await open(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
      try {
        const stat = await handle.stat()
        if (!stat.isFile() || stat.size > maxBytes) throw new Error("not a regular file of bounded size")
        return await handle.readFile("utf8")
      } finally {
        await handle.close()
      }
    },
    catch: (error) => refuse(`${name}: ${error instanceof Error ? error.message : String(error)}`),
  })

/** An artifact is only ever posted for the commit it was rendered for: the run's head, from the event. */
const renderedFor = (dir: string, headSha: string): Effect.Effect<void, PreviewRefused> =>
  readArtifactFile(dir, "head-sha", 64).pipe(
    Effect.map((text) => text.trim()),
    Effect.flatMap((rendered) =>
      rendered === headSha
        ? Effect.void
        : Effect.fail(refuse(`rendered for ${rendered.slice(0, 40)}, but the run is of ${headSha}`)),
    ),
  )

/**
 * The comment bodies of a preview artifact, checked as untrusted data: the head commit it was
 * rendered for must be the run's, parts are `comment-1.md` … `comment-N.md` with N capped, and
 * every part carries the bot's marker (so it can only ever replace the bot's own comments).
 */
const readPreviewArtifact = (dir: string, headSha: string): Effect.Effect<ReadonlyArray<string>, PreviewRefused> =>
  Effect.gen(function* () {
    yield* renderedFor(dir, headSha)
    const names = yield* Effect.tryPromise({ try: () => readdir(dir), catch: (error) => refuse(String(error)) })
    const parts = names.filter((name) => /^comment-\d+\.md$/.test(name)).length
    if (parts === 0) return yield* refuse("the artifact has no comment")
    if (parts > MAX_COMMENT_PARTS) return yield* refuse(`${parts} comment parts (at most ${MAX_COMMENT_PARTS})`)
    const bodies = yield* Effect.forEach(
      Array.from({ length: parts }, (_, index) => `comment-${index + 1}.md`),
      (name) => readArtifactFile(dir, name, MAX_BODY_CHARS * 4),
    )
    const unmarked = bodies.findIndex((body) => !isOurComment(body) || body.length > MAX_BODY_CHARS)
    if (unmarked >= 0) return yield* refuse(`comment-${unmarked + 1}.md is not a rendered-diff part`)
    return bodies
  })

/**
 * The pull request a finished preview run belongs to, from the event GitHub sent (never from the
 * artifact): the run's own PR list, or for a fork (where GitHub leaves that list empty) the open
 * PR of the head branch, and in both cases only one whose head is the run's commit.
 */
const pullRequestOfRun = (event: WorkflowRunEvent): Effect.Effect<number, PreviewRefused | GitHubError, GitHub> =>
  Effect.gen(function* () {
    const run = event.workflow_run
    if (run.event !== "pull_request") return yield* refuse(`the run was triggered by ${run.event}, not a pull request`)
    let numbers = run.pull_requests.filter((pull) => pull.head.sha === run.head_sha).map((pull) => pull.number)
    if (numbers.length === 0) {
      const { octokit, owner, repo } = yield* GitHub
      const open = yield* call("list pull requests", () =>
        octokit.paginate(octokit.rest.pulls.list, {
          owner,
          repo,
          state: "open",
          head: `${run.head_repository.owner.login}:${run.head_branch}`,
          per_page: 100,
        }),
      )
      numbers = open.filter((pull) => pull.head.sha === run.head_sha).map((pull) => pull.number)
    }
    if (numbers.length !== 1)
      return yield* refuse(`${numbers.length} open pull requests have head ${run.head_sha} (expected exactly one)`)
    return numbers[0] as number
  })

export const CLUSTER_PREVIEW_MARKER = "<!-- ppi-cluster-preview -->"

/**
 * The `pulumi preview` comment, built here (trusted code) around the preview's output, which is
 * untrusted text from a run of PR code: it only ever appears inside a code fence.
 */
const readClusterPreviewArtifact = (
  dir: string,
  headSha: string,
): Effect.Effect<ReadonlyArray<string>, PreviewRefused> =>
  Effect.gen(function* () {
    yield* renderedFor(dir, headSha)
    const output = yield* readArtifactFile(dir, "preview.txt", 16 * 1024 * 1024)
    const tail = output.slice(-60_000)
    return [`${CLUSTER_PREVIEW_MARKER}\n### pulumi preview\n\n${fence(tail, "text")}\n`]
  })

export type PreviewKind = "rendered-diff" | "cluster-preview"

/** The whole comment job: which PR (from the event), what to post (from the artifact), then the sticky comments. */
export const postPreview = (dir: string, event: WorkflowRunEvent, kind: PreviewKind = "rendered-diff") =>
  Effect.gen(function* () {
    const bodies =
      kind === "rendered-diff"
        ? yield* readPreviewArtifact(dir, event.workflow_run.head_sha)
        : yield* readClusterPreviewArtifact(dir, event.workflow_run.head_sha)
    const pullRequest = yield* pullRequestOfRun(event)
    const marker = kind === "rendered-diff" ? RENDERED_DIFF_MARKER : CLUSTER_PREVIEW_MARKER
    return { pullRequest, ...(yield* upsertStickyComments(pullRequest, bodies, marker)) }
  })
