import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { startFakeGitHub } from "../testing/fake-github.ts"
import { readCommandFile, runWorkflow } from "./runner.ts"

let root = ""
let github: Awaited<ReturnType<typeof startFakeGitHub>>
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ppi-runner-"))
  github = await startFakeGitHub()
})
afterAll(async () => {
  await github.close()
  await rm(root, { recursive: true, force: true })
})

const e = (inner: string) => `$\{{ ${inner} }}`

/** A workflow of plain steps (no checkout), run with the runner's defaults. */
const runSteps = async (steps: string, on = "push") => {
  const file = join(root, `workflow-${Math.random().toString(36).slice(2)}.yml`)
  await writeFile(
    file,
    `name: Steps\non: ${on}\npermissions: {}\nenv:\n  STACK: ${e("vars.STACK")}\njobs:\n  job:\n    runs-on: ubuntu-24.04\n    steps:\n${steps}`,
  )
  const [job] = await runWorkflow({
    workflow: file,
    event: { name: "push", payload: { ref: "refs/heads/main" } },
    repository: "org/repo",
    ref: "refs/heads/main",
    sha: "0".repeat(40),
    runId: 1,
    vars: { STACK: "production" },
    token: "token",
    remote: join(root, "none.git"),
    apiUrl: github.baseUrl,
    artifacts: join(root, "artifacts"),
    root: join(root, "run", Math.random().toString(36).slice(2)),
    tools: { pnpmVersion: "0.0.0", pnpmScript: "", node: process.execPath, installed: root },
    unavailable: [{ pattern: /get\.example\.com/, reason: "unreachable here" }],
  })
  if (job === undefined) throw new Error("no job")
  return job
}

describe("the workflow runner", () => {
  it("carries GITHUB_ENV, GITHUB_OUTPUT and GITHUB_PATH from one step to the next", async () => {
    const job = await runSteps(
      [
        "      - id: first",
        "        run: |",
        '          echo "GREETING=hello" >> "$GITHUB_ENV"',
        '          printf "NOTE<<EOF\\nline one\\nline two\\nEOF\\n" >> "$GITHUB_ENV"',
        '          echo "answer=42" >> "$GITHUB_OUTPUT"',
        '          mkdir -p "$RUNNER_TEMP/tools" && printf "#!/bin/sh\\necho tool ran\\n" > "$RUNNER_TEMP/tools/mytool"',
        '          chmod +x "$RUNNER_TEMP/tools/mytool" && echo "$RUNNER_TEMP/tools" >> "$GITHUB_PATH"',
        "      - run: |",
        '          test "$GREETING" = hello && test "$ANSWER" = 42 && test "$STACK" = production',
        '          test "$NOTE" = "$(printf "line one\\nline two")"',
        "          mytool",
        '          echo "summary" >> "$GITHUB_STEP_SUMMARY"',
        "        env:",
        `          ANSWER: ${e("steps.first.outputs.answer")}`,
      ].join("\n"),
    )
    expect(job.steps.map((step) => step.outcome)).toEqual(["success", "success"])
    expect(job.steps[1]?.log).toContain("tool ran")
  })

  it("fails the job on a failing step, skips what follows, and runs `if: always()` / failure() steps", async () => {
    const job = await runSteps(
      [
        "      - run: exit 3",
        "      - run: echo never",
        "      - if: failure()",
        "        run: echo cleanup",
        "      - if: always()",
        "        working-directory: sub",
        "        run: pwd",
      ].join("\n"),
    )
    // The last step's working-directory does not exist: as on the runner, it fails to start.
    expect(job.conclusion).toBe("failure")
    expect(job.steps.map((step) => step.outcome)).toEqual(["failure", "skipped", "success", "failure"])
  })

  it("goes on after a step marked continue-on-error", async () => {
    const job = await runSteps(
      ["      - run: exit 1", "        continue-on-error: true", "      - run: echo after"].join("\n"),
    )
    expect(job.conclusion).toBe("success")
    expect(job.steps.map((step) => step.outcome)).toEqual(["failure", "success"])
  })

  it("stops before a step this machine cannot run and says why", async () => {
    const job = await runSteps(
      ["      - run: echo before", "      - name: Download", "        run: curl https://get.example.com/x"].join("\n"),
    )
    expect(job.conclusion).toBe("stopped")
    expect(job.stopped).toMatchObject({ step: "Download", reason: "unreachable here" })
    expect(job.stopped?.env.STACK).toBe("production")
  })

  it("gives steps a gh that calls the GitHub stand-in and the local artifact store, and nothing else", async () => {
    const job = await runSteps(
      [
        "      - env:",
        `          GH_TOKEN: ${e("github.token")}`,
        "        run: |",
        '          echo \'{"body":"from gh"}\' > body.json',
        "          gh api --method POST repos/org/repo/issues/3/comments --input body.json",
        "          gh api repos/org/repo/issues/3/comments | grep -q 'from gh'",
        "      - if: always()",
        "        env:",
        `          GH_TOKEN: ${e("github.token")}`,
        "        run: gh run download 1 --name missing --dir out",
        "      - if: always()",
        "        env:",
        `          GH_TOKEN: ${e("github.token")}`,
        "        run: gh pr list",
        "      - if: always()",
        "        run: gh api repos/org/repo/issues/3/comments",
      ].join("\n"),
    )
    expect(job.steps.map((step) => step.outcome)).toEqual(["success", "failure", "failure", "failure"])
    expect([...github.comments.values()].filter((comment) => comment.issue === 3).map((c) => c.body)).toEqual([
      "from gh",
    ])
    expect(job.steps[1]?.log).toContain("no artifact named 'missing'")
    expect(job.steps[2]?.log).toContain("unknown command")
    expect(job.steps[3]?.log).toContain("GH_TOKEN")
  })

  it("refuses a step running in a shell it does not model", async () => {
    await expect(runSteps(["      - shell: pwsh", "        run: Write-Host hi"].join("\n"))).rejects.toThrow(
      /does not model shell/,
    )
  })

  it("reads GITHUB_ENV's heredoc syntax and refuses an unterminated block", () => {
    expect(readCommandFile("A=1\nB<<X\nb1\nb2\nX\nC=x=y\n")).toEqual({ A: "1", B: "b1\nb2", C: "x=y" })
    expect(() => readCommandFile("B<<X\nb1\n")).toThrow(/unterminated/)
  })
})
