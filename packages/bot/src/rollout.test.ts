import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { decodeRolloutState, PLATFORM_FILE, ROLLOUT_FILE } from "@ppi/config"
import { loadPlatform, TenantFiles } from "@ppi/synth"
import { Effect, Layer } from "effect"
import { type AppHealth, ArgoApplications } from "./argo-applications.ts"
import { GitHub } from "./github.ts"
import { type PublishOptions, publish, trailersOf } from "./publish.ts"
import { ROLLOUT_MARKER, type RolloutCommand, reportHalt, runRollout } from "./rollout.ts"
import { startFakeGitHub } from "./testing/fake-github.ts"
import { makeRemote } from "./testing/git-fixture.ts"

let fixture: ReturnType<typeof makeRemote>
beforeEach(() => {
  fixture = makeRemote()
})
afterEach(() => fixture.cleanup())

/** The clock: every step of a test moves it on by hand, so soak times are exact. */
let clock = new Date("2026-03-01T12:00:00Z")
const later = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000)
}
const options = (): PublishOptions => ({
  remote: fixture.remote,
  sourceBranch: "main",
  deployBranch: "deploy",
  synthVersion: "test",
  now: () => clock,
})
const publishMain = () => Effect.runPromise(publish(options()).pipe(Effect.provide(TenantFiles.layer)))

/** Argo CD as the gate sees it: each named Application in whatever state the test gives it. */
const argo = (view: (name: string, head: string) => Partial<AppHealth>) =>
  Layer.succeed(ArgoApplications, {
    read: (names) =>
      Effect.sync(() => {
        const head = fixture.git("rev-parse", "deploy")
        return names.map((name) => ({ name, exists: true, ...view(name, head) }))
      }),
  })
const healthyAt = (head: string, finishedAt = clock): Partial<AppHealth> => ({
  sync: "Synced",
  revision: head,
  health: "Healthy",
  operation: "Succeeded",
  finishedAt: finishedAt.toISOString(),
})
const rollout = (command: RolloutCommand, view: (name: string, head: string) => Partial<AppHealth>) =>
  Effect.runPromise(runRollout(command, options()).pipe(Effect.provide(Layer.merge(TenantFiles.layer, argo(view)))))
const rolloutResult = (command: RolloutCommand) =>
  Effect.runPromise(
    Effect.result(
      runRollout(command, options()).pipe(
        Effect.provide(
          Layer.merge(
            TenantFiles.layer,
            argo(() => ({})),
          ),
        ),
      ),
    ),
  )

const deployedState = () => decodeRolloutState(JSON.parse(fixture.git("show", `deploy:${ROLLOUT_FILE}`)))
const imageOf = (tenant: string) =>
  /image: "?([^"\s]+)/.exec(fixture.git("show", `deploy:${tenant}/app/manifest.yaml`))?.[1]?.split("@")[0]
const platformText = () => readFileSync(join(fixture.dev, PLATFORM_FILE), "utf8")
/** Main moves the platform's API to 1.5.0 (the example platform runs 1.4.2; canary: hobby; acme in `everyone`). */
const release = (tag = "1.5.0") =>
  fixture.commit(`Release API ${tag} (#88)`, {
    [PLATFORM_FILE]: platformText().replace(/tag: "1\.\d\.\d",\n\s+digest: "sha256:[0-9a-f]+",/, `tag: "${tag}",`),
  })

describe("rollout waves", () => {
  it("publish moves only the first wave to a new API version and records the rollout", async () => {
    await publishMain()
    expect(deployedState()).toMatchObject({ status: "done", to: { tag: "1.4.2" } })
    release()
    const result = await publishMain()
    expect(result.rollout).toMatchObject({ status: "rolling", wave: 0, from: { tag: "1.4.2" }, to: { tag: "1.5.0" } })
    expect(imageOf("hobby")).toBe("ghcr.io/parametric-portal/api:1.5.0")
    expect(imageOf("acme")).toBe("ghcr.io/parametric-portal/api:1.4.2")
    // globex pins its own version: never moved.
    expect(imageOf("globex")).toBe("ghcr.io/parametric-portal/api:1.4.1")
    expect(trailersOf(fixture.git("log", "-1", "--format=%B", "deploy")).Rollout).toBe(
      "1.4.2 → 1.5.0: wave 1/4 (canary), rolling",
    )
    // A second publish of the same main changes nothing: the rollout is not restarted.
    expect((await publishMain())._tag).toBe("Unchanged")
  })

  it("advances only after the wave is Synced to its commit, Healthy and soaked, skipping empty waves", async () => {
    await publishMain()
    release()
    await publishMain()
    const started = clock
    // Still syncing the previous commit: no change.
    const syncing = await rollout("advance", () => ({ sync: "OutOfSync", revision: "0".repeat(40), health: "Healthy" }))
    expect(syncing.result._tag).toBe("Unchanged")
    expect(syncing.notes.join("\n")).toContain("wave 1 (canary) not ready")
    // Healthy but the canary soaks 600 s.
    later(300)
    const soaking = await rollout("advance", (_, head) => healthyAt(head, started))
    expect(soaking.result._tag).toBe("Unchanged")
    expect(soaking.notes.join("\n")).toContain("soaking: 300s of 600s")
    later(301)
    const advanced = await rollout("advance", (_, head) => healthyAt(head, started))
    expect(advanced.result._tag).toBe("Published")
    // 10 % and 50 % take no example tenant: the next wave judged is `everyone` (acme).
    expect(deployedState()).toMatchObject({ status: "rolling", wave: 3, since: clock.toISOString() })
    expect(imageOf("acme")).toBe("ghcr.io/parametric-portal/api:1.5.0")
    later(1)
    const done = await rollout("advance", (_, head) => healthyAt(head))
    expect(done.result.rollout.status).toBe("done")
    expect(deployedState().status).toBe("done")
  })

  it("halts a wave that fails, keeps the rest on the old version, reports it, and rolls the wave back", async () => {
    await publishMain()
    release()
    await publishMain()
    later(10)
    const halted = await rollout("advance", (name, head) =>
      name === "hobby"
        ? { ...healthyAt(head), health: "Degraded", healthMessage: "Deployment api exceeded its progress deadline" }
        : healthyAt(head),
    )
    expect(halted.halted).toBe(true)
    expect(deployedState()).toMatchObject({
      status: "halted",
      wave: 0,
      failed: [{ tenant: "hobby", reason: "health Degraded: Deployment api exceeded its progress deadline" }],
    })
    expect(imageOf("acme")).toBe("ghcr.io/parametric-portal/api:1.4.2")
    // Advancing a halted rollout does nothing.
    expect((await rollout("advance", (_, head) => healthyAt(head))).result._tag).toBe("Unchanged")
    // The report goes to the PR that changed the version.
    const github = await startFakeGitHub()
    try {
      const posted = await Effect.runPromise(
        reportHalt(deployedState(), await Effect.runPromise(loadPlatform(join(fixture.dev, PLATFORM_FILE)))).pipe(
          Effect.provide(GitHub.layer({ token: "t", owner: "o", repo: "r", baseUrl: github.baseUrl })),
        ),
      )
      expect(posted).toBe(true)
      const comment = github.requests.find((request) => request.method === "POST")
      expect(comment?.path).toBe("/repos/o/r/issues/88/comments")
      expect(String(comment?.body?.body)).toMatch(
        new RegExp(`^${ROLLOUT_MARKER}[\\s\\S]*\\*\\*hobby\\*\\*: health Degraded`),
      )
    } finally {
      await github.close()
    }
    await rollout("rollback", () => ({}))
    expect(deployedState().status).toBe("rolled-back")
    expect(imageOf("hobby")).toBe("ghcr.io/parametric-portal/api:1.4.2")
  })

  it("halts a wave that is not healthy within its timeout", async () => {
    await publishMain()
    release()
    await publishMain()
    later(901)
    const result = await rollout("advance", (_, head) => ({ ...healthyAt(head), health: "Progressing" }))
    expect(result.result.rollout.failed?.[0]?.reason).toContain("not healthy within 900s")
  })

  it("pauses and resumes, and refuses a command that does not apply", async () => {
    await publishMain()
    expect((await rolloutResult("pause"))._tag).toBe("Failure")
    release()
    await publishMain()
    await rollout("pause", () => ({}))
    expect(deployedState().status).toBe("paused")
    expect((await rollout("advance", (_, head) => healthyAt(head))).result._tag).toBe("Unchanged")
    await rollout("resume", () => ({}))
    expect(deployedState()).toMatchObject({ status: "rolling", wave: 0 })
    const refused = await rolloutResult("resume")
    expect(refused._tag === "Failure" && refused.failure.message).toBe("cannot resume a rollout that is rolling")
  })
})
