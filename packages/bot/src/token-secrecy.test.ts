import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { PLATFORM_FILE } from "@ppi/config"
import { Effect } from "effect"
import { renderTenantFile } from "./tenant-file.ts"
import { FakeGitHub } from "./testing/fake-github.ts"
import { makeRemote } from "./testing/git-fixture.ts"
import { startGitHttpRemote } from "./testing/git-http-remote.ts"

const main = new URL("./main.ts", import.meta.url).pathname
const root = new URL("../../../", import.meta.url).pathname

/** The CLI as the workflows run it: its own process, the token only in its environment. */
const bot = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.promise(
    () =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["--disable-warning=ExperimentalWarning", main, ...args],
          {
            cwd: root,
            env: { ...process.env, GITHUB_TOKEN: "", GITHUB_STEP_SUMMARY: "", PPI_SIGNING_KEY: "", ...env },
          },
          (error, stdout, stderr) =>
            resolve({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr }),
        )
      }),
  )

/** An installation token as GitHub issues them, and one of no known shape (only its value can be hidden). */
const TOKENS = [
  ["a GitHub installation token", "ghs_0123456789abcdefghijABCDEFGHIJ012345"],
  ["a token of no known shape", "s3cr3t-Opaque-Value-0123456789"],
] as const

const lifecycleCommands = [
  ["tenant new --pr", ["tenant", "new", "wayne", "--tier", "free", "--pr", "--repo", "org/infra"]],
  ["tenant decommission --pr", ["tenant", "decommission", "hobby", "--pr", "--repo", "org/infra"]],
] as const

describe("the lifecycle commands never print the token", () => {
  for (const [kind, token] of TOKENS)
    for (const [name, args] of lifecycleCommands)
      it.effect(`${name}, with ${kind}, when the API fails and echoes it`, () =>
        Effect.gen(function* () {
          const github = yield* FakeGitHub
          const dir = mkdtempSync(join(tmpdir(), "ppi-audit-"))
          const auditLog = join(dir, "audit.jsonl")
          const result = yield* bot([...args, "--audit-log", auditLog], {
            GITHUB_TOKEN: token,
            GITHUB_API_URL: github.baseUrl,
            GITHUB_ACTOR: "octocat",
          })
          const audit = readFileSync(auditLog, "utf8")
          rmSync(dir, { recursive: true, force: true })
          // The API did receive the token, and did echo it: the failure below is the one under test.
          expect(github.requests.length).toBeGreaterThan(0)
          expect(result.code).toBe(1)
          expect(result.stderr).toMatch(/failed \(401\): Bad credentials/)
          expect(audit).toContain('"outcome":"failed"')
          for (const output of [result.stdout, result.stderr, audit]) expect(output).not.toContain(token)
        }).pipe(
          Effect.provide(
            FakeGitHub.layer({
              files: { "tenants/hobby.ts": renderTenantFile({ name: "hobby", tier: "free" }) },
              refuseWith: 401,
            }),
          ),
        ),
      )
})

describe("the rollout never prints the token", () => {
  let fixture: ReturnType<typeof makeRemote>
  let remote: Awaited<ReturnType<typeof startGitHttpRemote>>
  beforeAll(async () => {
    fixture = makeRemote()
    remote = await startGitHttpRemote(fixture.remote)
    // A rollout in progress (a new API version published), so `rollout pause` has a deploy commit to push.
    await Effect.runPromise(bot(["publish", "--remote", fixture.remote], {}))
    const platform = readFileSync(join(fixture.dev, PLATFORM_FILE), "utf8")
    fixture.commit("Release 1.5.0 (#5)", {
      [PLATFORM_FILE]: platform.replace(/tag: "1\.4\.2",\n\s+digest: "sha256:[0-9a-f]+",/, 'tag: "1.5.0",'),
    })
    await Effect.runPromise(bot(["publish", "--remote", fixture.remote], {}))
  }, 120_000)
  afterAll(async () => {
    await remote.close()
    fixture.cleanup()
  })

  it.effect.each(TOKENS)(
    "when the remote refuses the push and echoes %s",
    ([, token]) =>
      Effect.gen(function* () {
        const before = fixture.git("rev-parse", "deploy")
        const seen = remote.requests.length
        const result = yield* bot(["rollout", "pause", "--remote", remote.url], { GITHUB_TOKEN: token })
        const requests = remote.requests.slice(seen)
        const basic = Buffer.from(`x-access-token:${token}`).toString("base64")
        // The token went to the remote as a header, the rollout got as far as the push, and the remote echoed it.
        expect(requests.some(({ authorization }) => authorization === `basic ${basic}`)).toBe(true)
        expect(requests.map(({ path }) => path)).toContainEqual(expect.stringContaining("service=git-receive-pack"))
        expect(result.code).toBe(1)
        expect(result.stderr).toContain("remote error: push refused for x-access-token:***")
        for (const output of [result.stdout, result.stderr]) {
          expect(output).not.toContain(token)
          expect(output).not.toContain(basic)
        }
        expect(fixture.git("rev-parse", "deploy")).toBe(before)
      }),
    120_000,
  )
})
