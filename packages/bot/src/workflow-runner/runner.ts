import { spawn } from "node:child_process"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { parse as parseYaml } from "yaml"
import { localAction } from "./actions.ts"
import { condition, type ExpressionContext, expressionsIn, interpolate, parse } from "./expressions.ts"
import { STAND_INS, type StandInTools, standInEnv } from "./stand-ins.ts"

/**
 * Runs a GitHub Actions workflow's jobs on this machine as the runner would (README.md): each
 * `run:` step in bash with the runner's environment and files, each `uses:` step by its local
 * equivalent (actions.ts), every `${{ }}` evaluated strictly (expressions.ts). What the runner
 * does not model (a job or step key, an action, a shell) is an error, so a workflow cannot grow
 * past what the test proves without the test failing.
 */
export interface RunOptions {
  readonly workflow: string
  readonly event: { readonly name: string; readonly payload: Readonly<Record<string, unknown>> }
  readonly repository: string
  readonly ref: string
  readonly sha: string
  readonly runId: number
  readonly vars: Readonly<Record<string, string>>
  /** The repository's secrets the workflows name (an unset one is an error, not GitHub's empty string). */
  readonly secrets?: Readonly<Record<string, string>>
  readonly inputs?: Readonly<Record<string, string>>
  readonly token: string
  /** The bare repository standing in for https://github.com/<repository>.git. */
  readonly remote: string
  /** The GitHub API stand-in. */
  readonly apiUrl: string
  /** The artifact store: <store>/<run id>/<name>/. */
  readonly artifacts: string
  /** A fresh folder for this run (workspace, runner temp, home, runner files). */
  readonly root: string
  readonly tools: StandInTools
  /** Steps the machine cannot run: the job stops before the first `run:` matching one, and says why. */
  readonly unavailable?: ReadonlyArray<{ readonly pattern: RegExp; readonly reason: string }>
}

export interface StepResult {
  readonly name: string
  readonly outcome: "success" | "failure" | "skipped"
  readonly log: string
  /** Wall-clock time of the step. */
  readonly ms: number
}

export interface JobResult {
  readonly job: string
  readonly conclusion: "success" | "failure" | "skipped" | "stopped"
  readonly steps: ReadonlyArray<StepResult>
  /** Where and why the job stopped, and the environment the step would have run with. */
  readonly stopped?: { readonly step: string; readonly reason: string; readonly env: Readonly<Record<string, string>> }
  readonly workspace: string
}

const JOB_KEYS = new Set(["name", "runs-on", "timeout-minutes", "steps", "if", "env", "permissions", "environment"])
const STEP_KEYS = new Set(["name", "id", "if", "uses", "with", "run", "env", "working-directory", "continue-on-error"])
const WORKFLOW_KEYS = new Set(["name", "on", "permissions", "concurrency", "jobs", "env"])

// biome-ignore lint/suspicious/noExplicitAny: a parsed workflow is untyped YAML, checked key by key below.
type Yaml = any

const checkKeys = (what: string, value: Yaml, known: ReadonlySet<string>) => {
  const unknown = Object.keys(value ?? {}).filter((key) => !known.has(key))
  if (unknown.length > 0) throw new Error(`${what}: the workflow runner does not model ${unknown.join(", ")}`)
}

/** Every job, step and expression of a workflow checked without running it: what a run would refuse, this refuses. */
export const planWorkflow = (text: string): ReadonlyArray<string> => {
  const doc: Yaml = parseYaml(text)
  checkKeys("workflow", doc, WORKFLOW_KEYS)
  const steps: Array<string> = []
  for (const [id, job] of Object.entries(doc.jobs as Record<string, Yaml>)) {
    checkKeys(`job ${id}`, job, JOB_KEYS)
    if (typeof job.if === "string") parse(job.if.replace(/^\s*\$\{\{|\}\}\s*$/g, ""))
    for (const step of job.steps as Array<Yaml>) {
      checkKeys(`job ${id} step ${step.name ?? step.uses}`, step, STEP_KEYS)
      if (typeof step.if === "string") parse(step.if.replace(/^\s*\$\{\{|\}\}\s*$/g, ""))
      if (step.uses) localAction(step.uses, Object.keys(step.with ?? {}))
      steps.push(step.name ?? step.uses)
    }
  }
  for (const expression of expressionsIn(text)) parse(expression)
  return steps
}

/** GITHUB_ENV / GITHUB_OUTPUT: `NAME=value` lines and `NAME<<DELIMITER` … `DELIMITER` blocks. */
export const readCommandFile = (text: string): Record<string, string> => {
  const values: Record<string, string> = {}
  const lines = text.split("\n")
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at] ?? ""
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const body: Array<string> = []
      while (at + 1 < lines.length && lines[at + 1] !== heredoc[2]) body.push(lines[++at] ?? "")
      if (at + 1 >= lines.length) throw new Error(`unterminated ${heredoc[1]}<<${heredoc[2]}`)
      at++
      values[heredoc[1] as string] = body.join("\n")
    } else if (line.includes("=")) values[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1)
    else if (line.trim() !== "") throw new Error(`cannot read ${JSON.stringify(line)}`)
  }
  return values
}

const bash = (script: string, cwd: string, env: Readonly<Record<string, string>>) =>
  new Promise<{ code: number; log: string }>((done) => {
    // The runner's default shell for `run:` on Linux.
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd, env })
    let log = ""
    child.stdout.on("data", (chunk) => (log += chunk))
    child.stderr.on("data", (chunk) => (log += chunk))
    child.on("error", (error) => done({ code: 127, log: `${log}${error.message}` }))
    child.on("close", (code) => done({ code: code ?? 1, log }))
  })

export const runWorkflow = async (options: RunOptions): Promise<ReadonlyArray<JobResult>> => {
  const text = await readFile(options.workflow, "utf8")
  planWorkflow(text)
  const doc: Yaml = parseYaml(text)
  const results: Array<JobResult> = []
  for (const [jobId, job] of Object.entries(doc.jobs as Record<string, Yaml>)) {
    results.push(await runJob(options, doc, jobId, job))
  }
  return results
}

const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/** A job's folders as the runner lays them out, and the git config that points the remote here. */
const prepareJob = async (options: RunOptions, jobId: string) => {
  const name = options.repository.split("/")[1] as string
  const base = join(options.root, jobId)
  const dirs = {
    workspace: join(base, "work", name, name),
    temp: join(base, "temp"),
    home: join(base, "home"),
    files: join(base, "files"),
    artifacts: join(options.artifacts, String(options.runId)),
  }
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true })
  // The remote is this machine's bare repository, whatever URL a step gives git for it.
  const gitConfig = join(dirs.home, ".gitconfig")
  await writeFile(
    gitConfig,
    `[url "${resolve(options.remote)}"]\n\tinsteadOf = https://github.com/${options.repository}.git\n` +
      `[user]\n\tname = runner\n\temail = runner@localhost\n`,
  )
  return { ...dirs, gitConfig }
}

type JobDirs = Awaited<ReturnType<typeof prepareJob>>

/** The `workflow_dispatch` inputs the workflow declares, valued from the run or their defaults. */
const inputsOf = (options: RunOptions, doc: Yaml) => {
  const declared = Object.keys(doc.on?.workflow_dispatch?.inputs ?? {})
  const values: Record<string, string> = {}
  for (const input of declared) {
    const given = options.inputs?.[input]
    if (given !== undefined) values[input] = given
    else if (options.event.name === "workflow_dispatch")
      values[input] = String(doc.on.workflow_dispatch.inputs[input].default ?? "")
  }
  return { declared, values }
}

const githubContextOf = (options: RunOptions, doc: Yaml, jobId: string, workspace: string) => ({
  event: options.event.payload,
  event_name: options.event.name,
  repository: options.repository,
  repository_owner: options.repository.split("/")[0] as string,
  ref: options.ref,
  ref_name: options.ref.replace(/^refs\/(heads|tags)\//, ""),
  sha: options.sha,
  run_id: String(options.runId),
  token: options.token,
  workspace,
  server_url: "https://github.com",
  api_url: options.apiUrl,
  workflow: doc.name,
  job: jobId,
})

type GithubContext = ReturnType<typeof githubContextOf>

const RUNNER = { os: "Linux", arch: "X64", name: "local" }

/** The environment the runner gives every step of the job. */
const runnerEnvOf = (options: RunOptions, github: GithubContext, dirs: JobDirs): Record<string, string> => ({
  CI: "true",
  GITHUB_ACTIONS: "true",
  GITHUB_WORKSPACE: dirs.workspace,
  GITHUB_EVENT_NAME: options.event.name,
  GITHUB_EVENT_PATH: join(dirs.files, "event.json"),
  GITHUB_REPOSITORY: options.repository,
  GITHUB_REPOSITORY_OWNER: github.repository_owner,
  GITHUB_REF: options.ref,
  GITHUB_REF_NAME: github.ref_name,
  GITHUB_SHA: options.sha,
  GITHUB_RUN_ID: String(options.runId),
  GITHUB_RUN_ATTEMPT: "1",
  GITHUB_WORKFLOW: String(github.workflow),
  GITHUB_JOB: github.job,
  GITHUB_ACTOR: "octocat",
  GITHUB_SERVER_URL: github.server_url,
  GITHUB_API_URL: options.apiUrl,
  RUNNER_OS: RUNNER.os,
  RUNNER_ARCH: RUNNER.arch,
  RUNNER_TEMP: dirs.temp,
  HOME: dirs.home,
  GIT_CONFIG_GLOBAL: dirs.gitConfig,
  GIT_CONFIG_NOSYSTEM: "1",
  LANG: "C.UTF-8",
  ...standInEnv(options.tools, join(options.artifacts)),
})

interface StepRun {
  readonly outcome: StepResult["outcome"]
  readonly log: string
  readonly outputs: Record<string, string>
}

/** One job's run: the state steps share (contexts, env, PATH additions, outcomes) and how a step runs. */
class JobRun {
  private succeeded = true
  private env: Record<string, string> = {}
  private fromGithubEnv: Record<string, string> = {}
  private readonly addedPaths: Array<string> = []
  private readonly steps: Record<string, { outputs: Record<string, string>; outcome: string }> = {}
  private readonly results: Array<StepResult> = []
  private readonly options: RunOptions
  private readonly jobId: string
  private readonly dirs: JobDirs
  private readonly inputs: ReturnType<typeof inputsOf>
  private readonly github: GithubContext
  private readonly runnerEnv: Record<string, string>

  constructor(options: RunOptions, doc: Yaml, jobId: string, dirs: JobDirs) {
    this.options = options
    this.jobId = jobId
    this.dirs = dirs
    this.inputs = inputsOf(options, doc)
    this.github = githubContextOf(options, doc, jobId, dirs.workspace)
    this.runnerEnv = runnerEnvOf(options, this.github, dirs)
  }

  context(): ExpressionContext {
    return {
      contexts: {
        github: this.github,
        runner: { ...RUNNER, temp: this.dirs.temp },
        vars: this.options.vars,
        secrets: this.options.secrets ?? {},
        inputs: this.inputs.values,
        env: this.env,
        steps: this.steps,
        job: { status: "success" },
      },
      jobSucceeded: this.succeeded,
      workspace: this.dirs.workspace,
      // GitHub reads an input the event did not carry (a push has none) as null.
      nullable: (path) => path[0] === "inputs" && path.length === 2 && this.inputs.declared.includes(path[1] as string),
    }
  }

  evaluateEnv(values: Readonly<Record<string, unknown>> | undefined): void {
    for (const [key, value] of Object.entries(values ?? {}))
      this.env = { ...this.env, [key]: interpolate(String(value), this.context()) }
  }

  async run(doc: Yaml, job: Yaml): Promise<JobResult> {
    const workspace = this.dirs.workspace
    this.evaluateEnv(doc.env)
    this.evaluateEnv(job.env)
    const jobEnv = this.env
    if (!condition(job.if, this.context())) return { job: this.jobId, conclusion: "skipped", steps: [], workspace }
    await writeFile(this.runnerEnv.GITHUB_EVENT_PATH as string, JSON.stringify(this.options.event.payload, null, 2))
    for (const [index, step] of (job.steps as Array<Yaml>).entries()) {
      this.env = { ...jobEnv, ...this.fromGithubEnv }
      const stopped = await this.runStep(index, step)
      if (stopped !== undefined) return stopped
    }
    const conclusion = this.succeeded ? "success" : "failure"
    return { job: this.jobId, conclusion, steps: this.results, workspace }
  }

  /** Runs one step; returns the job's result when the step stops the job (a step this machine cannot run). */
  private async runStep(index: number, step: Yaml): Promise<JobResult | undefined> {
    const stepName: string = step.name ?? step.uses ?? `Run ${String(step.run).split("\n")[0]}`
    if (!condition(step.if, this.context())) {
      this.results.push({ name: stepName, outcome: "skipped", log: "", ms: 0 })
      return undefined
    }
    this.evaluateEnv(step.env)
    const files = this.dirs.files
    const stepFiles = {
      GITHUB_OUTPUT: join(files, `output-${index}`),
      GITHUB_ENV: join(files, `env-${index}`),
      GITHUB_PATH: join(files, `path-${index}`),
      GITHUB_STEP_SUMMARY: join(files, `summary-${index}`),
    }
    for (const file of Object.values(stepFiles)) await writeFile(file, "")
    const stepEnv: Record<string, string> = {
      ...this.runnerEnv,
      ...stepFiles,
      ...this.env,
      PATH: [STAND_INS, ...this.addedPaths, SYSTEM_PATH].join(":"),
    }
    const blocked = step.uses
      ? undefined
      : this.options.unavailable?.find(({ pattern }) => pattern.test(String(step.run)))
    if (blocked) {
      this.results.push({ name: stepName, outcome: "skipped", log: blocked.reason, ms: 0 })
      return {
        job: this.jobId,
        conclusion: "stopped",
        steps: this.results,
        stopped: { step: stepName, reason: blocked.reason, env: stepEnv },
        workspace: this.dirs.workspace,
      }
    }
    const started = performance.now()
    const { outcome, log, outputs } = step.uses
      ? await this.useAction(step)
      : await this.runScript(step, stepFiles, stepEnv)
    if (step.id) this.steps[step.id] = { outputs, outcome }
    this.results.push({ name: stepName, outcome, log, ms: Math.round(performance.now() - started) })
    const continueOnError = step["continue-on-error"] === true || String(step["continue-on-error"] ?? "") === "true"
    if (outcome === "failure" && !continueOnError) this.succeeded = false
    return undefined
  }

  /** A `uses:` step, by its local equivalent (actions.ts). */
  private async useAction(step: Yaml): Promise<StepRun> {
    try {
      const withValues = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([key, value]) => [key, interpolate(String(value), this.context())]),
      )
      const outputs = await localAction(
        step.uses,
        Object.keys(withValues),
      )({
        with: withValues,
        workspace: this.dirs.workspace,
        remote: this.options.remote,
        ref: this.options.ref,
        sha: this.options.sha,
        token: this.options.token,
        artifacts: this.dirs.artifacts,
        repository: this.options.repository,
        apiUrl: this.options.apiUrl,
      })
      return { outcome: "success", log: "", outputs: { ...outputs } }
    } catch (error) {
      return { outcome: "failure", log: error instanceof Error ? error.message : String(error), outputs: {} }
    }
  }

  /** A `run:` step in bash; then what it wrote to GITHUB_OUTPUT, GITHUB_ENV and GITHUB_PATH. */
  private async runScript(
    step: Yaml,
    stepFiles: { readonly GITHUB_OUTPUT: string; readonly GITHUB_ENV: string; readonly GITHUB_PATH: string },
    stepEnv: Readonly<Record<string, string>>,
  ): Promise<StepRun> {
    const workspace = this.dirs.workspace
    const cwd = step["working-directory"]
      ? resolve(workspace, interpolate(step["working-directory"], this.context()))
      : workspace
    const result = await bash(String(step.run), cwd, stepEnv)
    const outputs = readCommandFile(await readFile(stepFiles.GITHUB_OUTPUT, "utf8"))
    this.fromGithubEnv = { ...this.fromGithubEnv, ...readCommandFile(await readFile(stepFiles.GITHUB_ENV, "utf8")) }
    for (const line of (await readFile(stepFiles.GITHUB_PATH, "utf8")).split("\n"))
      if (line.trim() !== "") this.addedPaths.unshift(line.trim())
    return { outcome: result.code === 0 ? "success" : "failure", log: result.log, outputs }
  }
}

const runJob = async (options: RunOptions, doc: Yaml, jobId: string, job: Yaml): Promise<JobResult> =>
  new JobRun(options, doc, jobId, await prepareJob(options, jobId)).run(doc, job)
