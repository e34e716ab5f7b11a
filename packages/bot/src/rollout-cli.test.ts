import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { PLATFORM_FILE } from "@ppi/config"
import { makeRemote } from "./testing/git-fixture.ts"

const main = new URL("./main.ts", import.meta.url).pathname
const root = new URL("../../../", import.meta.url).pathname

/** `pnpm bot rollout …` as the workflow runs it: its own process, from the repository root. */
const bot = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", main, ...args],
      { cwd: root, env: { ...process.env, GITHUB_TOKEN: "", GITHUB_STEP_SUMMARY: "", PPI_SIGNING_KEY: "" } },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr }),
    )
  })

let fixture: ReturnType<typeof makeRemote>
beforeEach(() => {
  fixture = makeRemote()
})
afterEach(() => fixture.cleanup())

describe("pnpm bot rollout", () => {
  it("prints the deployed rollout, pauses it with a deploy commit, and refuses an unknown subcommand", async () => {
    expect((await bot(["publish", "--remote", fixture.remote])).code).toBe(0)
    const platform = readFileSync(join(fixture.dev, PLATFORM_FILE), "utf8")
    fixture.commit("Release 1.5.0 (#5)", {
      [PLATFORM_FILE]: platform.replace(/tag: "1\.4\.2",\n\s+digest: "sha256:[0-9a-f]+",/, 'tag: "1.5.0",'),
    })
    expect((await bot(["publish", "--remote", fixture.remote])).code).toBe(0)
    const status = await bot(["rollout", "status", "--remote", fixture.remote])
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({
      status: "rolling",
      wave: 0,
      to: { tag: "1.5.0" },
      pullRequest: 5,
    })
    const paused = await bot(["rollout", "pause", "--remote", fixture.remote])
    expect(paused.code).toBe(0)
    expect(paused.stdout).toMatch(/^deployed [0-9a-f]{12}: /m)
    expect(JSON.parse((await bot(["rollout", "status", "--remote", fixture.remote])).stdout).status).toBe("paused")
    expect((await bot(["rollout", "pause", "--remote", fixture.remote])).stderr).toContain(
      "cannot pause a rollout that is paused",
    )
    const wrong = await bot(["rollout", "sideways", "--remote", fixture.remote])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain("advance, pause, resume, rollback, status or plan")
    expect((await bot(["rollout", "--remote", fixture.remote])).stderr).toContain("needs --kube-server")
  }, 120_000)
})
