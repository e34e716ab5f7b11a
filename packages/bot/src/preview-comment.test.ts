import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { GitHub } from "./github.ts"
import { MAX_COMMENT_PARTS, postPreview, type WorkflowRunEvent } from "./preview-comment.ts"
import { startFakeGitHub } from "./testing/fake-github.ts"

const SHA_1 = "1".repeat(40)
const SHA_2 = "2".repeat(40)
const MARKER = "<!-- ppi-rendered-diff -->"

let github: Awaited<ReturnType<typeof startFakeGitHub>>
let dir = ""
beforeEach(async () => {
  github = await startFakeGitHub()
  dir = mkdtempSync(join(tmpdir(), "ppi-artifact-"))
  // Two open PRs, each with the bot's comment and a reviewer's.
  github.pulls.push(
    { number: 1, head: "add-acme", base: "main", title: "", html_url: "", state: "open", sha: SHA_1, owner: "acme" },
    { number: 2, head: "add-globex", base: "main", title: "", html_url: "", state: "open", sha: SHA_2, owner: "acme" },
  )
  github.comments.set(1, { id: 1, body: `${MARKER}\nPR 1's diff`, issue: 1 })
  github.comments.set(2, { id: 2, body: `${MARKER}\nPR 2's diff`, issue: 2 })
  github.comments.set(3, { id: 3, body: "Looks good to me", issue: 2 })
})
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true })
  await github.close()
})

const eventOf = (sha: string, overrides: Partial<WorkflowRunEvent["workflow_run"]> = {}): WorkflowRunEvent => ({
  workflow_run: {
    id: 99,
    event: "pull_request",
    head_sha: sha,
    head_branch: "add-acme",
    head_repository: { owner: { login: "acme" } },
    pull_requests: [{ number: 1, head: { sha } }],
    ...overrides,
  },
})

const artifact = (files: Readonly<Record<string, string>>) => {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
}

const post = (event: WorkflowRunEvent) =>
  postPreview(dir, event).pipe(
    Effect.provide(GitHub.layer({ token: "test", owner: "acme", repo: "infra", baseUrl: github.baseUrl })),
    Effect.result,
  )

const writes = () => github.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)
const bodiesOf = (issue: number) =>
  [...github.comments.values()].filter((comment) => comment.issue === issue).map((comment) => comment.body)

describe("posting a PR preview from its artifact", () => {
  it.effect("updates the bot's comment on the run's own pull request", () =>
    Effect.gen(function* () {
      artifact({ "head-sha": `${SHA_1}\n`, "comment-1.md": `${MARKER}\nacme: 26 added` })
      const result = yield* post(eventOf(SHA_1))
      expect(result._tag === "Success" && result.success).toEqual({
        pullRequest: 1,
        created: 0,
        updated: 1,
        deleted: 0,
      })
      expect(bodiesOf(1)).toEqual([`${MARKER}\nacme: 26 added`])
    }),
  )

  it.effect("ignores a PR number planted in the artifact: another PR's comments stay untouched", () =>
    Effect.gen(function* () {
      artifact({ "pr-number": "2\n", "head-sha": SHA_1, "comment-1.md": `${MARKER}\npoisoned` })
      yield* post(eventOf(SHA_1))
      expect(bodiesOf(2)).toEqual([`${MARKER}\nPR 2's diff`, "Looks good to me"])
      expect(writes().every((write) => !write.includes("/issues/2/") && !write.endsWith("/comments/2"))).toBe(true)
    }),
  )

  it.effect.each([
    ["rendered for another commit", { "head-sha": SHA_2, "comment-1.md": `${MARKER}\nx` }, "rendered for 2222"],
    [
      "without the bot's marker",
      { "head-sha": SHA_1, "comment-1.md": "@everyone free tokens" },
      "is not a rendered-diff part",
    ],
    [
      "with a marked part and an unmarked one",
      { "head-sha": SHA_1, "comment-1.md": `${MARKER}\nx`, "comment-2.md": "spam" },
      "comment-2.md is not a rendered-diff part",
    ],
    [
      "with a flood of parts",
      Object.fromEntries([
        ["head-sha", SHA_1],
        ...Array.from({ length: MAX_COMMENT_PARTS + 1 }, (_, i) => [`comment-${i + 1}.md`, `${MARKER}\n${i}`]),
      ]),
      `${MAX_COMMENT_PARTS + 1} comment parts`,
    ],
    ["with a gap in its parts", { "head-sha": SHA_1, "comment-2.md": `${MARKER}\nx` }, "comment-1.md"],
    ["of an oversized part", { "head-sha": SHA_1, "comment-1.md": `${MARKER}\n${"x".repeat(70_000)}` }, "comment-1.md"],
  ])("refuses an artifact %s and writes nothing", ([, files, reason]) =>
    Effect.gen(function* () {
      artifact(files as Record<string, string>)
      const result = yield* post(eventOf(SHA_1))
      expect(result._tag === "Failure" && result.failure.message).toContain(reason)
      expect(writes()).toEqual([])
    }),
  )

  it.effect("refuses a part that is a link out of the artifact", () =>
    Effect.gen(function* () {
      artifact({ "head-sha": SHA_1 })
      symlinkSync("/proc/self/environ", join(dir, "comment-1.md"))
      const result = yield* post(eventOf(SHA_1))
      expect(result._tag === "Failure" && result.failure.message).toContain("comment-1.md")
      expect(writes()).toEqual([])
    }),
  )

  it.effect("finds a fork's pull request by its head branch, and only while its head is the run's commit", () =>
    Effect.gen(function* () {
      artifact({ "head-sha": SHA_1, "comment-1.md": `${MARKER}\nfork` })
      const fork = eventOf(SHA_1, { pull_requests: [] })
      const found = yield* post(fork)
      expect(found._tag === "Success" && found.success.pullRequest).toBe(1)
      const pushedSince = github.pulls[0]
      if (pushedSince) pushedSince.sha = "3".repeat(40)
      const stale = yield* post(fork)
      expect(stale._tag === "Failure" && stale.failure.message).toContain("0 open pull requests have head")
    }),
  )

  it.effect("refuses a run that was not triggered by a pull request", () =>
    Effect.gen(function* () {
      artifact({ "head-sha": SHA_1, "comment-1.md": `${MARKER}\nx` })
      const result = yield* post(eventOf(SHA_1, { event: "push" }))
      expect(result._tag === "Failure" && result.failure.message).toContain("triggered by push")
      expect(writes()).toEqual([])
    }),
  )

  it.effect("wraps a cluster preview's output in a fence under the cluster marker, whatever the output says", () =>
    Effect.gen(function* () {
      artifact({
        "head-sha": SHA_1,
        "preview.txt": "+ ppi:gitops:ArgoCd create\n```\n<!-- ppi-rendered-diff -->\n@everyone",
      })
      const result = yield* postPreview(dir, eventOf(SHA_1), "cluster-preview").pipe(
        Effect.provide(GitHub.layer({ token: "test", owner: "acme", repo: "infra", baseUrl: github.baseUrl })),
      )
      expect(result).toMatchObject({ pullRequest: 1, created: 1 })
      const posted = bodiesOf(1).filter((body) => body.startsWith("<!-- ppi-cluster-preview -->"))
      expect(posted).toHaveLength(1)
      expect(posted[0]).toMatch(
        /^<!-- ppi-cluster-preview -->\n### pulumi preview\n\n(`{4,})text\n\+ ppi:gitops:ArgoCd create\n```\n[\s\S]*\n\1\n$/,
      )
      // The rendered-diff comment is a different sticky comment and stays.
      expect(bodiesOf(1)).toContain(`${MARKER}\nPR 1's diff`)
    }),
  )
})
