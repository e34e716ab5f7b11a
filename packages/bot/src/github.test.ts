import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { call, GitHub } from "./github.ts"
import { FakeGitHub } from "./testing/fake-github.ts"

describe("GitHub calls", () => {
  it.effect("a failed call says its operation and status, and keeps what was thrown as its cause", () =>
    Effect.gen(function* () {
      const { octokit } = yield* GitHub
      const error = yield* Effect.flip(
        call("get a pull request", () => octokit.rest.pulls.get({ owner: "acme", repo: "infra", pull_number: 9 })),
      )
      expect(error.status).toBe(404)
      expect(error.message).toMatch(/^GitHub get a pull request failed \(404\): no route GET /)
      expect(error.cause).toBeInstanceOf(Error)
      expect((error.cause as { status?: number }).status).toBe(404)
    }).pipe(Effect.provide(FakeGitHub.layer())),
  )
})
