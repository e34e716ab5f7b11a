import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { upsertStickyComments } from "./sticky-comments.ts"
import { FakeGitHub, writesTo } from "./testing/fake-github.ts"

const part = (n: number, text: string) => `<!-- ppi-rendered-diff -->\n### Rendered diff (part ${n})\n${text}`

describe("sticky diff comments", () => {
  it.effect("creates the comments once, then updates the same comments on the next push", () =>
    Effect.gen(function* () {
      const github = yield* FakeGitHub
      github.comments.set(1, { id: 1, body: "LGTM from a human" })
      expect(yield* upsertStickyComments(7, [part(1, "a"), part(2, "b")])).toEqual({
        created: 2,
        updated: 0,
        deleted: 0,
      })
      expect(writesTo(github)).toEqual([
        "POST /repos/acme/infra/issues/7/comments",
        "POST /repos/acme/infra/issues/7/comments",
      ])
      const ids = [...github.comments.keys()].filter((id) => id !== 1)

      github.requests.length = 0
      expect(yield* upsertStickyComments(7, [part(1, "a2"), part(2, "b")])).toEqual({
        created: 0,
        updated: 1,
        deleted: 0,
      })
      expect(writesTo(github)).toEqual([`PATCH /repos/acme/infra/issues/comments/${ids[0]}`])
      expect(github.comments.get(1)?.body).toBe("LGTM from a human")
    }).pipe(Effect.provide(FakeGitHub.layer())),
  )

  it.effect("deletes surplus parts when the diff shrinks, and adds parts when it grows", () =>
    Effect.gen(function* () {
      const github = yield* FakeGitHub
      yield* upsertStickyComments(7, [part(1, "a"), part(2, "b"), part(3, "c")])
      expect(yield* upsertStickyComments(7, [part(1, "only")])).toEqual({ created: 0, updated: 1, deleted: 2 })
      expect([...github.comments.values()].map((c) => c.body)).toEqual([part(1, "only")])
      expect(yield* upsertStickyComments(7, [part(1, "only"), part(2, "more")])).toEqual({
        created: 1,
        updated: 0,
        deleted: 0,
      })
    }).pipe(Effect.provide(FakeGitHub.layer())),
  )

  it.effect("does nothing when the diff is unchanged", () =>
    Effect.gen(function* () {
      const github = yield* FakeGitHub
      yield* upsertStickyComments(7, [part(1, "same")])
      github.requests.length = 0
      expect(yield* upsertStickyComments(7, [part(1, "same")])).toEqual({ created: 0, updated: 0, deleted: 0 })
      expect(writesTo(github)).toEqual([])
    }).pipe(Effect.provide(FakeGitHub.layer())),
  )
})
