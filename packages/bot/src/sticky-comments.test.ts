import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { GitHub } from "./github.ts"
import { upsertStickyComments } from "./sticky-comments.ts"
import { startFakeGitHub } from "./testing/fake-github.ts"

let github: Awaited<ReturnType<typeof startFakeGitHub>>
beforeEach(async () => {
  github = await startFakeGitHub()
})
afterEach(() => github.close())

const post = (bodies: ReadonlyArray<string>) =>
  Effect.runPromise(
    upsertStickyComments(7, bodies).pipe(
      Effect.provide(GitHub.layer({ token: "test", owner: "acme", repo: "infra", baseUrl: github.baseUrl })),
    ),
  )
const part = (n: number, text: string) => `<!-- ppi-rendered-diff -->\n### Rendered diff (part ${n})\n${text}`
const writes = () => github.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)

describe("sticky diff comments", () => {
  it("creates the comments once, then updates the same comments on the next push", async () => {
    github.comments.set(1, { id: 1, body: "LGTM from a human" })
    expect(await post([part(1, "a"), part(2, "b")])).toEqual({ created: 2, updated: 0, deleted: 0 })
    expect(writes()).toEqual(["POST /repos/acme/infra/issues/7/comments", "POST /repos/acme/infra/issues/7/comments"])
    const ids = [...github.comments.keys()].filter((id) => id !== 1)

    github.requests.length = 0
    expect(await post([part(1, "a2"), part(2, "b")])).toEqual({ created: 0, updated: 1, deleted: 0 })
    expect(writes()).toEqual([`PATCH /repos/acme/infra/issues/comments/${ids[0]}`])
    expect(github.comments.get(1)?.body).toBe("LGTM from a human")
  })

  it("deletes surplus parts when the diff shrinks, and adds parts when it grows", async () => {
    await post([part(1, "a"), part(2, "b"), part(3, "c")])
    expect(await post([part(1, "only")])).toEqual({ created: 0, updated: 1, deleted: 2 })
    expect([...github.comments.values()].map((c) => c.body)).toEqual([part(1, "only")])
    expect(await post([part(1, "only"), part(2, "more")])).toEqual({ created: 1, updated: 0, deleted: 0 })
  })

  it("does nothing when the diff is unchanged", async () => {
    await post([part(1, "same")])
    github.requests.length = 0
    expect(await post([part(1, "same")])).toEqual({ created: 0, updated: 0, deleted: 0 })
    expect(writes()).toEqual([])
  })
})
