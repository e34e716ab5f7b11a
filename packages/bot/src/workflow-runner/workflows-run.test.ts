import { execFileSync } from "node:child_process"
import { generateKeyPairSync } from "node:crypto"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { PLATFORM_FILE } from "@ppi/config"
import { CLUSTER_PREVIEW_MARKER } from "../preview-comment.ts"
import { RENDERED_DIFF_MARKER } from "../render-diff.ts"
import { startFakeGitHub } from "../testing/fake-github.ts"
import { makeRepository } from "./repository.ts"
import { type JobResult, planWorkflow, type RunOptions, runWorkflow } from "./runner.ts"
import { findCachedPnpm } from "./stand-ins.ts"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))
const workflows = join(repoRoot, ".github/workflows")
const files = (await readdir(workflows)).filter((file) => /\.ya?ml$/.test(file)).sort()
const REPOSITORY = "example-org/infrastructure"
/** Shaped like an installation token, so that the bot's redaction would recognise it in a leak. */
const TOKEN = `ghs_${"T0k3n".repeat(8)}`
/** The tenant form's GitHub App (docs/setup.md): the fake knows its public key, the workflow its private one. */
const formApp = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
})
const FORM_APP = { clientId: "Iv23liTenantForm0001", publicKey: formApp.publicKey, slug: "example-org-tenant-form" }
const VARS = {
  AWS_REGION: "eu-central-1",
  PULUMI_PREVIEW_ROLE_ARN: "arn:aws:iam::123456789012:role/ppi-cluster-preview",
  PULUMI_UP_ROLE_ARN: "arn:aws:iam::123456789012:role/ppi-cluster-up",
  PULUMI_BACKEND_URL: "s3://example-org-pulumi-state?region=eu-central-1&awssdk=v2",
  PULUMI_STACK: "production",
  // Nothing listens there: the rollout scenarios below never need Argo CD's view.
  ARGOCD_KUBE_SERVER: "https://127.0.0.1:1",
  ARGOCD_KUBE_CA: "",
}
/** What this machine cannot do; a job reaching it stops there and the test says so. */
const UNAVAILABLE = [
  { pattern: /get\.pulumi\.com/, reason: "the Pulumi CLI cannot be downloaded on this machine" },
  { pattern: /apt-get install/, reason: "system packages are not installed by the test (this machine has them)" },
]

const pnpmVersion = /pnpm@(\d+\.\d+\.\d+)/.exec(await readFile(join(workflows, "pr-preview.yml"), "utf8"))?.[1] ?? ""
const pnpmScript = (() => {
  const cached = findCachedPnpm(pnpmVersion)
  if (cached) return cached
  // Fills npx's cache once, from the npm registry, with the version the workflows pin.
  execFileSync("npx", ["-y", `pnpm@${pnpmVersion}`, "--version"], { stdio: "ignore" })
  return findCachedPnpm(pnpmVersion) ?? ""
})()

let root = ""
let github: Awaited<ReturnType<typeof startFakeGitHub>>
let repo: ReturnType<typeof makeRepository>
let nextRunId = 9000
const logs: Array<string> = []

const run = async (
  file: string,
  event: { name: string; ref: string; sha: string; payload: Record<string, unknown> },
  extra: Partial<RunOptions> = {},
): Promise<{ runId: number; jobs: ReadonlyArray<JobResult> }> => {
  const runId = nextRunId++
  const jobs = await runWorkflow({
    workflow: join(workflows, file),
    event: { name: event.name, payload: event.payload },
    repository: REPOSITORY,
    ref: event.ref,
    sha: event.sha,
    runId,
    vars: VARS,
    // The example platform lists no signing keys, so publish signs nothing (signing is proven by
    // commit-signing.test.ts and the e2e); the secret is still set, as the workflow reads it.
    secrets: {
      DEPLOY_SIGNING_KEY: "",
      ARGOCD_READER_TOKEN: "",
      PPI_FORM_APP_CLIENT_ID: FORM_APP.clientId,
      PPI_FORM_APP_PRIVATE_KEY: formApp.privateKey,
    },
    token: TOKEN,
    remote: repo.remote,
    apiUrl: github.baseUrl,
    artifacts: join(root, "artifacts"),
    root: join(root, "runs", String(runId)),
    tools: { pnpmVersion, pnpmScript, node: process.execPath, installed: repoRoot },
    unavailable: UNAVAILABLE,
    ...extra,
  })
  for (const job of jobs) for (const step of job.steps) logs.push(step.log)
  if (process.env.PPI_WORKFLOW_TIMINGS)
    for (const job of jobs)
      process.stderr.write(`${file} ${job.job}: ${job.steps.map((step) => `${step.name} ${step.ms} ms`).join(", ")}\n`)
  return { runId, jobs }
}

/** A job's one-line story, so a failure shows which step failed and its output. */
const story = (job: JobResult | undefined) =>
  job === undefined
    ? "no job"
    : `${job.job}: ${job.conclusion}\n${job.steps.map((step) => `- ${step.name}: ${step.outcome}\n${step.log.slice(-3000)}`).join("\n")}`

const onlyJob = (jobs: ReadonlyArray<JobResult>): JobResult => {
  expect(jobs).toHaveLength(1)
  return jobs[0] as JobResult
}

const newTenant = (name: string) =>
  `import type { TenantInput } from "@ppi/config"\n\nexport default {\n  name: "${name}",\n  tier: "free",\n} satisfies TenantInput\n`

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ppi-workflows-"))
  github = await startFakeGitHub({ app: FORM_APP })
  repo = makeRepository({ source: repoRoot, root, name: REPOSITORY })
})

afterAll(async () => {
  await github?.close()
  await rm(root, { recursive: true, force: true })
})

describe("every workflow, planned", () => {
  it.each(files)("%s uses only actions, keys and expressions the runner models", async (file) => {
    expect(planWorkflow(await readFile(join(workflows, file), "utf8")).length).toBeGreaterThan(0)
  })

  it("refuses a workflow that gains an action the runner does not know", () => {
    const text = `name: x\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/setup-node@1d0ff469b7ec7b3cb9d8673fde0c81c44821de2a\n`
    expect(() => planWorkflow(text)).toThrow(/no local equivalent of actions\/setup-node/)
  })

  it("refuses a job key the runner does not model", () => {
    const text = `name: x\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    services: {}\n    steps:\n      - run: "true"\n`
    expect(() => planWorkflow(text)).toThrow(/does not model services/)
  })
})

describe("the pull request → comment → publish chain", () => {
  let firstPull: ReturnType<typeof repo.openPullRequest>
  let preview: { runId: number; jobs: ReadonlyArray<JobResult> }

  it("pr-preview renders the diff against a deploy branch that does not exist yet, and uploads it", async () => {
    firstPull = repo.openPullRequest(1, "add-umbrella", { "tenants/umbrella.ts": newTenant("umbrella") })
    preview = await run("pr-preview.yml", firstPull.event())
    const job = onlyJob(preview.jobs)
    expect(job.conclusion, story(job)).toBe("success")
    // The deploy checkout fails (no such branch) and the job goes on, as continue-on-error says;
    // the last step, the deletion guard, passes: the PR adds a tenant and removes none.
    expect(job.steps.map((step) => `${step.name.replace(/@[0-9a-f]{40}$/, "")}: ${step.outcome}`)).toEqual([
      "actions/checkout: success",
      "actions/checkout: failure",
      "actions/checkout: success",
      "Install: success",
      "Synthesize the pull request: success",
      "Render the fleet report: success",
      "Render the diff: success",
      "actions/upload-artifact: success",
      "actions/upload-artifact: success",
      "Deletion guard: success",
    ])
    const artifact = join(root, "artifacts", String(preview.runId), "rendered-diff")
    expect((await readFile(join(artifact, "head-sha"), "utf8")).trim()).toBe(firstPull.head)
    const first = await readFile(join(artifact, "comment-1.md"), "utf8")
    expect(first).toContain(RENDERED_DIFF_MARKER)
    expect(first).toMatch(/\| `umbrella` \| \d+ \| 0 \| 0 \|/)
    expect(first).toMatch(/\| `acme` \| \d+ \| 0 \| 0 \|/)
  }, 60_000)

  it("pr-comment posts that artifact on the pull request the workflow_run event names", async () => {
    const { jobs } = await run(
      "pr-comment.yml",
      firstPull.workflowRun({ id: preview.runId, name: "PR preview", conclusion: "success" }),
    )
    const job = onlyJob(jobs)
    expect(job.conclusion, story(job)).toBe("success")
    const artifact = join(root, "artifacts", String(preview.runId), "rendered-diff")
    const parts = (await readdir(artifact)).filter((name) => /^comment-\d+\.md$/.test(name)).sort()
    const posted = [...github.comments.values()].filter((comment) => comment.issue === 1).sort((a, b) => a.id - b.id)
    expect(posted.map((comment) => comment.body)).toEqual(
      await Promise.all(parts.map((name) => readFile(join(artifact, name), "utf8"))),
    )
  }, 60_000)

  it("pr-comment posts nothing for a cancelled preview run (a failed one may carry the guard's verdict)", async () => {
    const before = github.requests.length
    const { jobs } = await run(
      "pr-comment.yml",
      firstPull.workflowRun({ id: preview.runId, name: "PR preview", conclusion: "cancelled" }),
    )
    expect(onlyJob(jobs).conclusion).toBe("skipped")
    expect(github.requests.length).toBe(before)
  })

  it("publish, on the merge, creates the deploy branch as an orphan commit of the synthesized tree", async () => {
    const before = repo.rev("refs/heads/main")
    firstPull.land()
    const { jobs } = await run("publish.yml", repo.pushToMain(before))
    const job = onlyJob(jobs)
    expect(job.conclusion, story(job)).toBe("success")
    const deploy = repo.rev("refs/heads/deploy")
    expect(repo.git(["rev-list", "--parents", "-n", "1", deploy])).toBe(deploy)
    const message = repo.git(["log", "-1", "--format=%B", deploy])
    expect(message).toContain(`Source-Commit: ${firstPull.merge}`)
    expect(message).toContain("Tenants-Changed: acme, globex, hobby, initech, umbrella")
    // What merged is what was reviewed: the hash the preview printed is the deploy commit's trailer.
    const verdict = JSON.parse(
      await readFile(join(root, "artifacts", String(preview.runId), "rendered-diff", "verdict.json"), "utf8"),
    )
    expect(verdict.diffHash).toMatch(/^[0-9a-f]{12,}$/)
    expect(message.split("\n")).toContain(`Preview-Diff-Hash: ${verdict.diffHash}`)
    const top = repo.git(["ls-tree", "--name-only", deploy]).split("\n")
    expect(top).toEqual([".gitattributes", "README.md", "_platform", "acme", "globex", "hobby", "initech", "umbrella"])
    expect(repo.git(["ls-tree", "-r", "--name-only", deploy, "umbrella"])).toMatch(/^umbrella\/.+\.yaml$/m)
    // Exactly what the preview of the same tree rendered (the merge's tree is the PR's test merge).
    const published = join(root, "published")
    await mkdir(published)
    execFileSync("sh", ["-c", `git --git-dir "${repo.remote}" archive deploy | tar -x -C "${published}"`])
    await rm(join(published, "README.md"))
    await rm(join(published, ".gitattributes"))
    // The deployed report names the merge and the deploy commit; the preview's is an artifact of its own.
    await rm(join(published, "_platform/report.html"))
    const previewJob = onlyJob(preview.jobs)
    expect(
      execFileSync("diff", ["-r", join(previewJob.workspace, "pr-out/"), `${published}/`], { encoding: "utf8" }),
    ).toBe("")
  }, 60_000)

  it("a second pull request previews against the deploy branch: its diff shows only its change", async () => {
    const pull = repo.openPullRequest(2, "hobby-pro", {
      "tenants/hobby.ts": (await readFile(join(repoRoot, "tenants/hobby.ts"), "utf8")).replace(
        'tier: "free"',
        'tier: "pro"',
      ),
    })
    const second = await run("pr-preview.yml", pull.event())
    const job = onlyJob(second.jobs)
    expect(
      job.steps.map((step) => step.outcome),
      story(job),
    ).not.toContain("failure")
    const artifact = join(root, "artifacts", String(second.runId), "rendered-diff")
    const parts = (await readdir(artifact)).filter((name) => /^comment-\d+\.md$/.test(name))
    expect(parts).toEqual(["comment-1.md"])
    const body = await readFile(join(artifact, "comment-1.md"), "utf8")
    expect(body).toMatch(/\| `hobby` \| \d+ \| [1-9]\d* \| \d+ \|/)
    expect(body).not.toContain("`acme`")
    expect(body).not.toContain("`umbrella`")
  }, 60_000)

  it("a PR that deletes a tenant file fails its check, after the artifact with the way forward is uploaded", async () => {
    const pull = repo.openPullRequest(7, "drop-hobby", { "tenants/hobby.ts": null })
    const blocked = await run("pr-preview.yml", pull.event())
    const job = onlyJob(blocked.jobs)
    expect(job.conclusion).toBe("failure")
    expect(job.steps.slice(-3).map((step) => `${step.name.replace(/@[0-9a-f]{40}$/, "")}: ${step.outcome}`)).toEqual([
      "actions/upload-artifact: success",
      "actions/upload-artifact: success",
      "Deletion guard: failure",
    ])
    expect(job.steps.at(-1)?.log).toContain("::error title=Deletion guard::The deletion guard blocks this change")
    const { jobs } = await run(
      "pr-comment.yml",
      pull.workflowRun({ id: blocked.runId, name: "PR preview", conclusion: "failure" }),
    )
    expect(onlyJob(jobs).conclusion, story(jobs[0])).toBe("success")
    const posted = [...github.comments.values()].filter((comment) => comment.issue === 7)
    expect(posted[0]?.body).toContain("**Blocked: this PR removes `hobby` without decommissioning.**")
    expect(posted[0]?.body).toContain("`allow-removal: hobby`")
  }, 120_000)

  it("rollout, after a publish that changed nothing of the API version, leaves the deploy branch alone", async () => {
    const before = repo.rev("refs/heads/deploy")
    const { jobs } = await run("rollout.yml", {
      name: "workflow_run",
      ref: "refs/heads/main",
      sha: repo.rev("refs/heads/main"),
      payload: { action: "completed", workflow_run: { name: "Publish", conclusion: "success" }, repository: {} },
    })
    const job = onlyJob(jobs)
    expect(job.conclusion, story(job)).toBe("success")
    expect(job.steps.at(-1)?.log).toContain("rollout is done: nothing to advance")
    expect(repo.rev("refs/heads/deploy")).toBe(before)
  }, 60_000)

  it("a new API version merged: publish deploys wave 1, the preview said so, and a dispatched pause is committed", async () => {
    const platform = await readFile(join(repoRoot, PLATFORM_FILE), "utf8")
    const pull = repo.openPullRequest(3, "api-1.5.0", {
      [PLATFORM_FILE]: platform.replace(/tag: "1\.4\.2",\n\s+digest: "sha256:[0-9a-f]+",/, 'tag: "1.5.0",'),
    })
    const preview = await run("pr-preview.yml", pull.event())
    expect(onlyJob(preview.jobs).conclusion, story(onlyJob(preview.jobs))).toBe("success")
    const body = await readFile(join(root, "artifacts", String(preview.runId), "rendered-diff", "comment-1.md"), "utf8")
    expect(body).toContain("from `1.4.2` to `1.5.0` out in 4 waves")
    expect(body).toContain("1. **canary**: `hobby`")
    expect(body).toContain(`[fleet report](https://github.com/${REPOSITORY}/actions/runs/${preview.runId}#artifacts)`)
    const report = await readFile(join(root, "artifacts", String(preview.runId), "fleet-report", "index.html"), "utf8")
    expect(report).toContain("1.4.2 → 1.5.0: wave 1 of 4, rolling")
    // Wave 1 only: the canary's Deployment changes, acme's does not.
    expect(body).toMatch(/\| `hobby` \|/)
    expect(body).not.toMatch(/\| `acme` \|/)
    const before = repo.rev("refs/heads/main")
    pull.land()
    expect(onlyJob((await run("publish.yml", repo.pushToMain(before))).jobs).conclusion).toBe("success")
    // Over an existing deploy branch too, the trailer is the hash the preview printed.
    const { diffHash } = JSON.parse(
      await readFile(join(root, "artifacts", String(preview.runId), "rendered-diff", "verdict.json"), "utf8"),
    )
    expect(repo.git(["log", "-1", "--format=%B", "refs/heads/deploy"]).split("\n")).toContain(
      `Preview-Diff-Hash: ${diffHash}`,
    )
    const state = () => JSON.parse(repo.git(["show", "refs/heads/deploy:_platform/rollout.json"]))
    expect(state()).toMatchObject({ status: "rolling", wave: 0, to: { tag: "1.5.0" } })
    const { jobs } = await run(
      "rollout.yml",
      {
        name: "workflow_dispatch",
        ref: "refs/heads/main",
        sha: repo.rev("refs/heads/main"),
        payload: { inputs: { command: "pause" } },
      },
      { inputs: { command: "pause" } },
    )
    const job = onlyJob(jobs)
    expect(job.conclusion, story(job)).toBe("success")
    expect(state().status).toBe("paused")
  }, 120_000)

  it("never shows the token in any step's output", () => {
    expect(logs.join("\n")).not.toContain(TOKEN)
  })
})

describe("the tenant form", () => {
  const dispatch = (inputs: Record<string, string>, extra: Partial<RunOptions> = {}) =>
    run(
      "tenant.yml",
      { name: "workflow_dispatch", ref: "refs/heads/main", sha: repo.rev("refs/heads/main"), payload: { inputs } },
      { inputs, ...extra },
    )
  /** The writes the fake received since `from`, as `METHOD /path as <credential>`. */
  const writesSince = (from: number) =>
    github.requests
      .slice(from)
      .filter((request) => request.method !== "GET")
      .map((request) => `${request.method} ${request.path.replace(`/repos/${REPOSITORY}`, "")} as ${request.token}`)

  it("opens the pull request that adds a tenant with the App's token (so the PR's own workflows run)", async () => {
    const from = github.requests.length
    const job = onlyJob(
      (await dispatch({ action: "new", name: "wayne", tier: "pro", hostnames: "", owner: "ops@wayne.example" })).jobs,
    )
    expect(job.conclusion, story(job)).toBe("success")
    const minted = github.issuedTokens.at(-1)
    expect(minted).toMatchObject({
      permissions: { contents: "write", pull_requests: "write" },
      repositories: ["infrastructure"],
    })
    // Every write is the App's installation token, never the workflow's GITHUB_TOKEN.
    const [mint, ...writes] = writesSince(from)
    expect(mint).toMatch(/^POST \/app\/installations\/4242\/access_tokens as ey/)
    expect(writes).toEqual([
      `POST /git/refs as ${minted?.token}`,
      `PUT /contents/tenants/wayne.ts as ${minted?.token}`,
      `POST /pulls as ${minted?.token}`,
    ])
    const file = github.branches.get("tenant/provision-wayne")?.get("tenants/wayne.ts") ?? ""
    expect(file).toContain('name: "wayne"')
    expect(file).toContain('tier: "pro"')
    expect(file).toContain("ops@wayne.example")
    expect(github.pulls.at(-1)).toMatchObject({
      head: "tenant/provision-wayne",
      base: "main",
      title: "Provision tenant wayne (pro)",
      state: "open",
    })
  }, 60_000)

  it("opens the pull request that decommissions a tenant, from main's file", async () => {
    // The stand-in's main holds what the repository's main holds.
    github.branches.get("main")?.set("tenants/hobby.ts", await readFile(join(repoRoot, "tenants/hobby.ts"), "utf8"))
    const job = onlyJob((await dispatch({ action: "decommission", name: "hobby" })).jobs)
    expect(job.conclusion, story(job)).toBe("success")
    const file = github.branches.get("tenant/decommission-hobby")?.get("tenants/hobby.ts") ?? ""
    expect(file).toContain('name: "hobby"')
    expect(file).toContain('state: "decommissioned"')
    expect(github.pulls.at(-1)).toMatchObject({ head: "tenant/decommission-hobby", base: "main", state: "open" })
  }, 60_000)

  it("opens nothing when the App's key is not the App's: the token is refused", async () => {
    const other = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    })
    const pulls = github.pulls.length
    const job = onlyJob(
      (
        await dispatch(
          { action: "new", name: "umbrella-two", tier: "free", hostnames: "", owner: "" },
          { secrets: { PPI_FORM_APP_CLIENT_ID: FORM_APP.clientId, PPI_FORM_APP_PRIVATE_KEY: other.privateKey } },
        )
      ).jobs,
    )
    expect(job.conclusion).toBe("failure")
    expect(job.steps.map((step) => step.outcome)).toEqual(["success", "success", "failure", "skipped"])
    expect(github.pulls.length).toBe(pulls)
  }, 60_000)

  it("does not run from another branch", async () => {
    const inputs = { action: "new", name: "x", tier: "free", hostnames: "", owner: "" }
    const { jobs } = await run(
      "tenant.yml",
      { name: "workflow_dispatch", ref: "refs/heads/feature", sha: repo.rev("refs/heads/main"), payload: { inputs } },
      { inputs },
    )
    expect(onlyJob(jobs).conclusion).toBe("skipped")
  })

  it("never shows the App's key or its tokens in any step's output", () => {
    const output = logs.join("\n")
    expect(output).not.toContain(formApp.privateKey.split("\n")[1])
    for (const { token } of github.issuedTokens) expect(output).not.toContain(token)
  })
})

describe("the cluster workflows, up to the Pulumi CLI", () => {
  it("cluster-preview runs a same-repository PR with the preview role and stops where the CLI is downloaded", async () => {
    const pull = repo.openPullRequest(3, "cluster-change", { "cluster/NOTE.md": "a change\n" })
    const job = onlyJob((await run("cluster-preview.yml", pull.event())).jobs)
    expect(job.conclusion, story(job)).toBe("stopped")
    expect(job.stopped?.step).toBe("Install")
    expect(job.stopped?.reason).toMatch(/Pulumi CLI/)
    expect(job.stopped?.env).toMatchObject({
      AWS_ROLE_ARN: VARS.PULUMI_PREVIEW_ROLE_ARN,
      AWS_REGION: VARS.AWS_REGION,
      PULUMI_BACKEND_URL: VARS.PULUMI_BACKEND_URL,
      PULUMI_STACK: VARS.PULUMI_STACK,
    })
    expect(job.stopped?.env).not.toHaveProperty("GITHUB_TOKEN")
    expect(execFileSync("git", ["rev-parse", "HEAD"], { cwd: job.workspace, encoding: "utf8" }).trim()).toBe(pull.merge)
  })

  it("cluster-preview skips a fork's pull request (no OIDC token)", async () => {
    const pull = repo.openPullRequest(4, "fork-change", { "cluster/NOTE.md": "from a fork\n" })
    expect(onlyJob((await run("cluster-preview.yml", pull.event(true))).jobs).conclusion).toBe("skipped")
  })

  it("cluster-up runs main with the up role and stops where the CLI is downloaded", async () => {
    const job = onlyJob((await run("cluster-up.yml", repo.pushToMain(repo.main))).jobs)
    expect(job.conclusion, story(job)).toBe("stopped")
    expect(job.stopped?.reason).toMatch(/Pulumi CLI/)
    expect(job.stopped?.env.AWS_ROLE_ARN).toBe(VARS.PULUMI_UP_ROLE_ARN)
    expect(execFileSync("git", ["rev-parse", "HEAD"], { cwd: job.workspace, encoding: "utf8" }).trim()).toBe(
      repo.rev("refs/heads/main"),
    )
  })

  it("cluster-preview-comment posts the preview's output, fenced, on the PR", async () => {
    const pull = repo.openPullRequest(5, "cluster-preview", { "cluster/NOTE.md": "previewed\n" })
    // What cluster-preview's last steps leave for its run (they need the Pulumi CLI).
    const previewRun = nextRunId++
    const artifact = join(root, "artifacts", String(previewRun), "cluster-preview")
    await mkdir(artifact, { recursive: true })
    await writeFile(join(artifact, "preview.txt"), "Previewing update (production):\n  ~ 1 to update\n")
    await writeFile(join(artifact, "head-sha"), `${pull.head}\n`)
    const { jobs } = await run(
      "cluster-preview-comment.yml",
      pull.workflowRun({ id: previewRun, name: "Cluster preview", conclusion: "success" }),
    )
    expect(onlyJob(jobs).conclusion, story(jobs[0])).toBe("success")
    const posted = [...github.comments.values()].filter((comment) => comment.issue === 5)
    expect(posted).toHaveLength(1)
    expect(posted[0]?.body).toContain(CLUSTER_PREVIEW_MARKER)
    expect(posted[0]?.body).toContain("~ 1 to update")
  }, 60_000)
})

describe("ci", () => {
  it("checks out, restores a cold cache with the go.sum key, and stops at the system packages", async () => {
    const jobs = (await run("ci.yml", repo.pushToMain(repo.main))).jobs
    expect(jobs.map((job) => [job.job, job.conclusion, job.stopped?.reason])).toEqual([
      ["test", "stopped", UNAVAILABLE[1]?.reason],
      ["e2e", "stopped", UNAVAILABLE[1]?.reason],
    ])
    expect(jobs[1]?.steps.map((step) => step.outcome)).toEqual(["success", "success", "skipped"])
  })
})
