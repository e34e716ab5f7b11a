import { Effect } from "effect"
import { call, GitHub, type GitHubError } from "./github.ts"
import { isOurComment, RENDERED_DIFF_MARKER } from "./render-diff.ts"

/**
 * Posts the rendered diff on a pull request as sticky comments: our existing comments are updated
 * in place (part N stays comment N), missing parts are created, surplus parts deleted. A new push
 * never adds a new set.
 */
export const upsertStickyComments = (
  pullRequest: number,
  bodies: ReadonlyArray<string>,
  marker = RENDERED_DIFF_MARKER,
): Effect.Effect<
  { readonly created: number; readonly updated: number; readonly deleted: number },
  GitHubError,
  GitHub
> =>
  Effect.gen(function* () {
    const { octokit, owner, repo } = yield* GitHub
    const existing = yield* call("list comments", () =>
      octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pullRequest, per_page: 100 }),
    )
    const ours = existing.filter((comment) => isOurComment(comment.body, marker)).sort((a, b) => a.id - b.id)
    let created = 0
    let updated = 0
    for (const [index, body] of bodies.entries()) {
      const comment = ours[index]
      if (comment === undefined) {
        yield* call("create comment", () =>
          octokit.rest.issues.createComment({ owner, repo, issue_number: pullRequest, body }),
        )
        created++
      } else if (comment.body !== body) {
        yield* call("update comment", () =>
          octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body }),
        )
        updated++
      }
    }
    const surplus = ours.slice(bodies.length)
    for (const comment of surplus)
      yield* call("delete comment", () => octokit.rest.issues.deleteComment({ owner, repo, comment_id: comment.id }))
    return { created, updated, deleted: surplus.length }
  })
