#!/usr/bin/env node

/**
 * The bot's CLI, as people and the workflows call it (the only place that exits). Every command
 * documents itself (`--help`); docs/cli.md is the long form. Usage errors exit 2, failures 1.
 */
import { appendFile, mkdir, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { encodeRolloutState, PLATFORM_FILE, type Platform, type RolloutState, rolloutOnPublish } from "@ppi/config"
import { loadPlatform, readChangedTrees, readTree, synthVersion, TenantFiles } from "@ppi/synth"
import { Effect, Layer, Schema } from "effect"
import { ArgoApplications } from "./argo-applications.ts"
import { AuditLog } from "./audit-log.ts"
import { deployedRollout, describeRollout } from "./deployed-rollout.ts"
import { redactCredentials } from "./git.ts"
import { GitHub } from "./github.ts"
import { loadTenants, renderPreview } from "./preview.ts"
import { postPreview, WorkflowRunEvent } from "./preview-comment.ts"
import { publish } from "./publish.ts"
import { haltReport, type RolloutCommand, readDeployedRollout, reportHalt, runRollout } from "./rollout.ts"
import { decommissionLocally, provisionLocally, tenantInputOf } from "./tenant-command.ts"
import { TenantLifecycle } from "./tenant-lifecycle.ts"

/** A mistake in how the command was called: one line, exit 2. */
class UsageError extends Error {}

interface Flag {
  readonly type: "string" | "boolean"
  readonly default?: string | boolean
  readonly multiple?: boolean
  readonly value?: string
  readonly description: string
}

interface Command {
  readonly usage: string
  readonly summary: string
  readonly flags: Readonly<Record<string, Flag>>
  readonly examples: ReadonlyArray<string>
  readonly run: (values: Record<string, unknown>, positionals: ReadonlyArray<string>) => Promise<string>
}

const str = (values: Record<string, unknown>, name: string): string | undefined =>
  typeof values[name] === "string" ? (values[name] as string) : undefined
const required = (values: Record<string, unknown>, name: string, command: string): string =>
  str(values, name) ?? usage(`${command} needs --${name}`)
const usage = (message: string): never => {
  throw new UsageError(message)
}

const directory = async (path: string, flag: string): Promise<string> => {
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) usage(`--${flag} ${path}: no such folder`)
  if (!info?.isDirectory()) usage(`--${flag} ${path}: not a folder`)
  return path
}

/** A file flag's value, refused as a usage error when the file is missing (a mistyped path). */
const existingFile = async (path: string, flag: string): Promise<string> => {
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) usage(`--${flag} ${path}: no such file`)
  if (!info?.isFile()) usage(`--${flag} ${path}: not a file`)
  return path
}

const repoOf = (values: Record<string, unknown>, command: string) => {
  const [owner, repo, extra] = (str(values, "repo") ?? process.env.GITHUB_REPOSITORY ?? "").split("/")
  if (!owner || !repo || extra !== undefined) usage(`${command} needs --repo OWNER/NAME (or GITHUB_REPOSITORY)`)
  return { owner: owner as string, repo: repo as string }
}

const gitHubLayer = (values: Record<string, unknown>, command: string) =>
  GitHub.layer({
    token: process.env.GITHUB_TOKEN || usage(`${command} needs the GITHUB_TOKEN environment variable`),
    ...repoOf(values, command),
    ...(process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {}),
  })

const root = new URL("../../../", import.meta.url).pathname

const tenantFlags = {
  "tenants-dir": { type: "string", default: "tenants", value: "DIR", description: "the tenants folder (without --pr)" },
  pr: { type: "boolean", default: false, description: "open a pull request through the GitHub API instead" },
  repo: { type: "string", value: "OWNER/NAME", description: "with --pr: the repository (default: $GITHUB_REPOSITORY)" },
  base: { type: "string", default: "main", value: "BRANCH", description: "with --pr: the branch the PR targets" },
  actor: {
    type: "string",
    value: "NAME",
    description: "with --pr: who asked, for the audit log (default: $GITHUB_ACTOR)",
  },
  "audit-log": {
    type: "string",
    value: "FILE",
    description: "with --pr: append the audit entry to FILE (default: stderr)",
  },
} as const satisfies Record<string, Flag>

/** Where publish and rollout read main and write the deploy branch. */
const deployRepositoryFlags = {
  remote: {
    type: "string",
    value: "URL",
    description: "the git remote (https URL without credentials, or a path)",
  },
  "source-branch": { type: "string", default: "main", value: "BRANCH", description: "the branch with tenants/" },
  "deploy-branch": { type: "string", default: "deploy", value: "BRANCH", description: "the branch Argo CD syncs" },
} as const satisfies Record<string, Flag>

const lifecycle = (values: Record<string, unknown>, command: string) =>
  TenantLifecycle.layer(str(values, "base") ?? "main").pipe(
    Layer.provide(gitHubLayer(values, command)),
    Layer.provide(str(values, "audit-log") ? AuditLog.file(str(values, "audit-log") as string) : AuditLog.stderr),
  )
const actorOf = (values: Record<string, unknown>) =>
  str(values, "actor") ?? process.env.GITHUB_ACTOR ?? process.env.USER ?? "cli"

/** `rollout plan`: the state a publish of this checkout would record over the deployed files, written for synth. */
const rolloutPlan = async (values: Record<string, unknown>): Promise<string> => {
  const deployed = await readTree(await directory(required(values, "deployed", "rollout plan"), "deployed"))
  const platform = await Effect.runPromise(loadPlatform(PLATFORM_FILE))
  const tenants = await Effect.runPromise(
    TenantFiles.use((files) => files.load("tenants")).pipe(Effect.provide(TenantFiles.layer)),
  )
  const state = rolloutOnPublish(
    deployedRollout(
      deployed,
      platform,
      tenants.map(({ tenant }) => tenant),
    ),
    platform.images.api,
    platform,
    new Date(),
  )
  await writeFile(required(values, "out", "rollout plan"), encodeRolloutState(state))
  return describeRollout(state, platform)
}

/** Argo CD's Applications on the cluster the flags name (a dead address when a command does not read them). */
const argoOf = (values: Record<string, unknown>, kube: string | undefined) =>
  ArgoApplications.kubernetes({
    server: kube ?? "https://127.0.0.1:1",
    ...(str(values, "kube-ca") ? { ca: str(values, "kube-ca") as string } : {}),
    ...(str(values, "kube-cert") ? { cert: str(values, "kube-cert") as string } : {}),
    ...(str(values, "kube-key") ? { key: str(values, "kube-key") as string } : {}),
    ...(process.env.KUBE_TOKEN ? { token: process.env.KUBE_TOKEN } : {}),
  })

/** A rollout this run halted: an error annotation, the halt report in the step summary and on the pull request. */
const announceHalt = async (
  state: RolloutState,
  line: string,
  platform: Platform | undefined,
  values: Record<string, unknown>,
  token: string | undefined,
): Promise<void> => {
  const failed = (state.failed ?? []).map((f) => `${f.tenant} (${f.reason})`).join("; ")
  process.stdout.write(`::error title=Rollout halted::${line}: ${failed}\n`)
  if (process.env.GITHUB_STEP_SUMMARY && platform)
    await appendFile(process.env.GITHUB_STEP_SUMMARY, `${haltReport(state, platform)}\n`)
  if (token && platform && (str(values, "repo") ?? process.env.GITHUB_REPOSITORY))
    await Effect.runPromise(reportHalt(state, platform).pipe(Effect.provide(gitHubLayer(values, "rollout"))))
}

const commands: Readonly<Record<string, Command>> = {
  diff: {
    usage: "diff --before DIR --after DIR --out DIR [--before-tenants DIR] [--after-tenants DIR] [--platform FILE]",
    summary:
      "Render the preview of a change: the plain-words summary, the deletion guard's verdict and the per-object diff, as comment-N.md parts, full.md, verdict.json (and `blocked` when the guard blocks).",
    flags: {
      before: { type: "string", value: "DIR", description: "the deploy branch's files (what runs now)" },
      after: { type: "string", value: "DIR", description: "the synth of the change (`pnpm synth --out DIR`)" },
      out: { type: "string", value: "DIR", description: "where the rendered files go (created)" },
      "before-tenants": {
        type: "string",
        value: "DIR",
        description: "the base's tenants/ folder, read as data (for the words)",
      },
      "after-tenants": {
        type: "string",
        value: "DIR",
        description: "the change's tenants/ folder, read as data (for the words)",
      },
      platform: {
        type: "string",
        value: "FILE",
        description: "the change's platform file, read as data (a change that starts a rollout lists its waves)",
      },
      "report-url": { type: "string", value: "URL", description: "where the change's fleet report is, for a link" },
    },
    examples: [
      "pnpm synth --out pr-out && pnpm bot diff --before deploy-out --after pr-out --out rendered-diff --before-tenants base/tenants --after-tenants tenants",
    ],
    run: async (values) => {
      const before = await directory(required(values, "before", "diff"), "before")
      const after = await directory(required(values, "after", "diff"), "after")
      const out = required(values, "out", "diff")
      const tenantsOf = async (flag: string) => {
        const dir = str(values, flag)
        if (dir === undefined) return undefined
        return Effect.runPromise(loadTenants(await directory(dir, flag)).pipe(Effect.provide(TenantFiles.layer)))
      }
      const [beforeTenants, afterTenants] = [await tenantsOf("before-tenants"), await tenantsOf("after-tenants")]
      // Folders rendered from the same inputs on both sides are not read: a diff reads what changed.
      const trees = await readChangedTrees(before, after)
      const preview = renderPreview({
        before: trees.before,
        after: trees.after,
        ...(beforeTenants ? { beforeTenants } : {}),
        ...(afterTenants ? { afterTenants } : {}),
        ...(str(values, "report-url") ? { reportUrl: str(values, "report-url") as string } : {}),
        ...(str(values, "platform")
          ? {
              platform: await Effect.runPromise(
                loadPlatform(await existingFile(str(values, "platform") as string, "platform")),
              ),
            }
          : {}),
      })
      await mkdir(out, { recursive: true })
      await writeFile(join(out, "full.md"), preview.full)
      for (const [index, body] of preview.comments.entries())
        await writeFile(join(out, `comment-${index + 1}.md`), body)
      await writeFile(
        join(out, "verdict.json"),
        `${JSON.stringify({ ...preview.verdict, diffHash: preview.diffHash })}\n`,
      )
      if (preview.verdict.blocked)
        await writeFile(
          join(out, "blocked"),
          `The deletion guard blocks this change: it removes ${preview.verdict.removals.join(", ") || "every tenant"} without decommissioning. The PR comment says how to proceed.\n`,
        )
      if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, preview.full)
      return `${preview.summary} (${preview.objects} objects, ${preview.comments.length} comment part(s), ${preview.verdict.blocked ? "BLOCKED" : "guard passed"})`
    },
  },
  comment: {
    usage: "comment --dir DIR --repo OWNER/NAME [--event FILE] [--kind rendered-diff|cluster-preview]",
    summary:
      "Post a finished preview's artifact as sticky PR comments. The PR comes from the workflow_run event (GITHUB_EVENT_PATH), never from the artifact. Needs GITHUB_TOKEN.",
    flags: {
      dir: { type: "string", value: "DIR", description: "the downloaded artifact" },
      repo: { type: "string", value: "OWNER/NAME", description: "the repository (default: $GITHUB_REPOSITORY)" },
      event: { type: "string", value: "FILE", description: "the workflow_run event (default: $GITHUB_EVENT_PATH)" },
      kind: {
        type: "string",
        default: "rendered-diff",
        value: "KIND",
        description: "rendered-diff or cluster-preview",
      },
    },
    examples: [
      'pnpm bot comment --dir "$RUNNER_TEMP/rendered-diff" --repo "$GITHUB_REPOSITORY" --event "$GITHUB_EVENT_PATH"',
    ],
    run: async (values) => {
      const dir = await directory(required(values, "dir", "comment"), "dir")
      const kind = str(values, "kind")
      if (kind !== "rendered-diff" && kind !== "cluster-preview")
        usage(`--kind ${kind}: rendered-diff or cluster-preview`)
      const eventFile =
        str(values, "event") ?? process.env.GITHUB_EVENT_PATH ?? usage("comment needs --event or GITHUB_EVENT_PATH")
      const text = await readFile(eventFile, "utf8").catch(() => usage(`--event ${eventFile}: no such file`))
      const event = Schema.decodeUnknownSync(WorkflowRunEvent)(JSON.parse(text))
      const result = await Effect.runPromise(
        postPreview(dir, event, kind as "rendered-diff" | "cluster-preview").pipe(
          Effect.provide(gitHubLayer(values, "comment")),
        ),
      )
      return JSON.stringify(result)
    },
  },
  publish: {
    usage: "publish --remote URL [--source-branch main] [--deploy-branch deploy] [--allow-removal a,b] [--allow-empty]",
    summary:
      "Synthesize the source branch and push it to the deploy branch (fast-forward only, retried on a lost race). A tenant removed without decommissioning is held back (kept deployed) and reported; every other change publishes. GITHUB_TOKEN authenticates an https remote (never put it in the URL); PPI_SIGNING_KEY (armored GPG key) signs each deploy commit when the platform lists signing keys.",
    flags: {
      ...deployRepositoryFlags,
      "allow-removal": {
        type: "string",
        default: "",
        value: "NAMES",
        description: "comma-separated tenants whose removal is intended",
      },
      "allow-empty": { type: "boolean", default: false, description: "allow publishing a fleet with no tenant at all" },
    },
    examples: [
      "pnpm bot publish --remote https://github.com/OWNER/NAME.git",
      "pnpm bot publish --remote ../infra.git --allow-removal hobby",
    ],
    run: async (values) => {
      const result = await Effect.runPromise(
        publish({
          remote: required(values, "remote", "publish"),
          ...(process.env.GITHUB_TOKEN ? { token: process.env.GITHUB_TOKEN } : {}),
          ...(process.env.PPI_SIGNING_KEY ? { signingKey: process.env.PPI_SIGNING_KEY } : {}),
          sourceBranch: str(values, "source-branch") ?? "main",
          deployBranch: str(values, "deploy-branch") ?? "deploy",
          synthVersion: await synthVersion(root),
          allowRemovals: (str(values, "allow-removal") ?? "")
            .split(",")
            .map((name) => name.trim())
            .filter(Boolean),
          allowEmpty: values["allow-empty"] === true,
        }).pipe(Effect.provide(TenantFiles.layer)),
      )
      if (result._tag === "Published" && result.heldBack.length > 0) {
        const warning = `held back the removal of ${result.heldBack.join(", ")}: their files vanished but they were never decommissioned, so they stay deployed. Decommission them, or rerun the Publish workflow with allow-removal: ${result.heldBack.join(",")}`
        process.stdout.write(`::warning title=Removal held back::${warning}\n`)
        if (process.env.GITHUB_STEP_SUMMARY)
          await appendFile(process.env.GITHUB_STEP_SUMMARY, `> [!WARNING]\n> ${warning}\n`)
      }
      return JSON.stringify(result)
    },
  },
  rollout: {
    usage:
      "rollout [advance|pause|resume|rollback|status|plan] --remote URL [--kube-server URL --kube-ca FILE (--kube-cert FILE --kube-key FILE | KUBE_TOKEN)]",
    summary:
      "Move the rollout of the platform's API version on: advance (default) checks Argo CD's view of the current wave (Synced to the deploy head, Healthy, last sync Succeeded, for the soak time) and deploys the next wave, or halts and reports the failing tenants; pause, resume and rollback change its status; status prints it; plan writes the state a publish of this checkout would record (for the preview's synth). Each change is a signed deploy commit made like publish's (GITHUB_TOKEN, PPI_SIGNING_KEY).",
    flags: {
      ...deployRepositoryFlags,
      "kube-server": { type: "string", value: "URL", description: "advance: the API server running Argo CD" },
      "kube-ca": { type: "string", value: "FILE", description: "advance: the API server's CA (PEM)" },
      "kube-cert": { type: "string", value: "FILE", description: "advance: a client certificate (PEM)" },
      "kube-key": { type: "string", value: "FILE", description: "advance: its key (PEM); or KUBE_TOKEN" },
      deployed: { type: "string", value: "DIR", description: "plan: the deploy branch's files" },
      out: { type: "string", value: "FILE", description: "plan: where the state goes (for `synth --rollout`)" },
      repo: {
        type: "string",
        value: "OWNER/NAME",
        description: "where a halt is reported (default: $GITHUB_REPOSITORY; with GITHUB_TOKEN)",
      },
    },
    examples: [
      "pnpm bot rollout --remote https://github.com/OWNER/NAME.git --kube-server https://k8s:6443 --kube-ca ca.pem",
      "pnpm bot rollout rollback --remote ../infra.git",
      "pnpm bot rollout status --remote ../infra.git",
      "pnpm bot rollout plan --deployed deploy-out --out rollout.json && pnpm synth --rollout rollout.json",
    ],
    run: async (values, positionals) => {
      const command = positionals[0] ?? "advance"
      if (!["advance", "pause", "resume", "rollback", "status", "plan"].includes(command))
        usage(`rollout ${command}: advance, pause, resume, rollback, status or plan`)
      if (command === "plan") return rolloutPlan(values)
      const remote = required(values, "remote", "rollout")
      const deployBranch = str(values, "deploy-branch") ?? "deploy"
      const token = process.env.GITHUB_TOKEN || undefined
      if (command === "status") {
        const state = await Effect.runPromise(readDeployedRollout(remote, deployBranch, token))
        return state === undefined ? "no rollout recorded on the deploy branch" : JSON.stringify(state)
      }
      const kube = str(values, "kube-server")
      if (command === "advance" && kube === undefined) usage("rollout advance needs --kube-server (Argo CD's cluster)")
      const argo = argoOf(values, kube)
      const { result, notes, halted } = await Effect.runPromise(
        runRollout(command as RolloutCommand, {
          remote,
          ...(token ? { token } : {}),
          ...(process.env.PPI_SIGNING_KEY ? { signingKey: process.env.PPI_SIGNING_KEY } : {}),
          sourceBranch: str(values, "source-branch") ?? "main",
          deployBranch,
          synthVersion: await synthVersion(root),
        }).pipe(Effect.provide(Layer.merge(TenantFiles.layer, argo))),
      )
      const platform = await Effect.runPromise(loadPlatform(PLATFORM_FILE)).catch(() => undefined)
      const line = platform ? describeRollout(result.rollout, platform) : result.rollout.status
      if (halted) await announceHalt(result.rollout, line, platform, values, token)
      return [
        ...notes,
        `${result._tag === "Published" ? `deployed ${result.commit.slice(0, 12)}` : "no change"}: ${line}`,
      ].join("\n")
    },
  },
  "tenant new": {
    usage: "tenant new NAME --tier free|pro|enterprise [--hostname HOST]… [--owner EMAIL] [--pr]",
    summary:
      "Write tenants/NAME.ts (validated by decoding it, as synth will), or with --pr open the pull request that adds it (GITHUB_TOKEN).",
    flags: {
      tier: { type: "string", value: "TIER", description: "free, pro or enterprise" },
      hostname: {
        type: "string",
        multiple: true,
        value: "HOST",
        description: "a custom hostname (repeatable; under a verified domain)",
      },
      owner: { type: "string", value: "EMAIL", description: "the owner's email" },
      platform: {
        type: "string",
        default: PLATFORM_FILE,
        value: "FILE",
        description: "without --pr: the platform file custom hostnames are checked against (read as data)",
      },
      ...tenantFlags,
    },
    examples: [
      "pnpm bot tenant new wayne --tier pro --hostname app.wayne.example --owner ops@wayne.example",
      "GITHUB_TOKEN=… pnpm bot tenant new wayne --tier pro --pr --repo OWNER/NAME",
    ],
    run: async (values, positionals) => {
      const name = positionals[0] ?? usage("tenant new needs a NAME")
      const input = tenantInputOf({
        name,
        tier: required(values, "tier", "tenant new"),
        hostnames: (values.hostname as ReadonlyArray<string> | undefined) ?? [],
        owner: str(values, "owner"),
      })
      if (values.pr !== true) {
        const dir = await directory(str(values, "tenants-dir") ?? "tenants", "tenants-dir")
        const platform =
          input.hostnames === undefined
            ? undefined
            : await Effect.runPromise(loadPlatform(str(values, "platform") ?? PLATFORM_FILE))
        return `wrote ${await Effect.runPromise(provisionLocally(dir, input, platform))}`
      }
      const pull = await Effect.runPromise(
        Effect.gen(function* () {
          return yield* (yield* TenantLifecycle).provision(input, actorOf(values))
        }).pipe(Effect.provide(lifecycle(values, "tenant new --pr"))),
      )
      return `${pull.created ? "opened" : "already open"}: ${pull.url}`
    },
  },
  "tenant decommission": {
    usage: "tenant decommission NAME [--pr]",
    summary:
      'Set state: "decommissioned" in tenants/NAME.ts (its workload leaves on merge; namespace, credentials and data are retained), or with --pr open that pull request (GITHUB_TOKEN).',
    flags: { ...tenantFlags },
    examples: [
      "pnpm bot tenant decommission hobby",
      "GITHUB_TOKEN=… pnpm bot tenant decommission hobby --pr --repo OWNER/NAME",
    ],
    run: async (values, positionals) => {
      const name = positionals[0] ?? usage("tenant decommission needs a NAME")
      if (values.pr !== true) {
        const dir = await directory(str(values, "tenants-dir") ?? "tenants", "tenants-dir")
        return `wrote ${await Effect.runPromise(decommissionLocally(dir, name))}`
      }
      const pull = await Effect.runPromise(
        Effect.gen(function* () {
          return yield* (yield* TenantLifecycle).decommission(name, actorOf(values))
        }).pipe(Effect.provide(lifecycle(values, "tenant decommission --pr"))),
      )
      return `${pull.created ? "opened" : "already open"}: ${pull.url}`
    },
  },
}

const flagLine = (name: string, flag: Flag) =>
  `  --${name}${flag.type === "string" ? ` ${flag.value ?? "VALUE"}` : ""}${flag.multiple ? " (repeatable)" : ""}\n      ${flag.description}${flag.default !== undefined && flag.default !== "" && flag.default !== false ? ` (default: ${String(flag.default)})` : ""}`

const commandHelp = (name: string, command: Command) =>
  [
    `usage: pnpm bot ${command.usage}`,
    "",
    command.summary,
    "",
    "flags:",
    ...Object.entries(command.flags).map(([flag, spec]) => flagLine(flag, spec)),
    "  --help\n      this text",
    "",
    "examples:",
    ...command.examples.map((example) => `  ${example}`),
    "",
    `See docs/cli.md (${name}).`,
  ].join("\n")

const mainHelp = () =>
  [
    "usage: pnpm bot <command> [flags]   (pnpm bot <command> --help for its flags)",
    "",
    "commands:",
    ...Object.entries(commands).map(
      ([name, command]) => `  ${name.padEnd(20)} ${command.summary.split(". ")[0]?.replace(/\.$/, "")}.`,
    ),
    "",
    "examples:",
    "  pnpm bot tenant new wayne --tier pro",
    "  pnpm bot diff --before deploy-out --after out --out rendered-diff",
    "",
    "Exit codes: 0 done, 1 failed, 2 wrong usage. See docs/cli.md.",
  ].join("\n")

/** `pnpm bot tenant --help`: the commands of a group, as the main help lists them. */
const groupHelp = (group: string) =>
  [
    `usage: pnpm bot ${group} <command> NAME [flags]   (pnpm bot ${group} <command> --help for its flags)`,
    "",
    "commands:",
    ...Object.entries(commands)
      .filter(([name]) => name.startsWith(`${group} `))
      .map(([name, command]) => `  ${name.padEnd(20)} ${command.summary.split(". ")[0]?.replace(/\.$/, "")}.`),
    "",
    "examples:",
    ...Object.entries(commands)
      .filter(([name]) => name.startsWith(`${group} `))
      .map(([, command]) => `  ${command.examples[0]}`),
    "",
    "See docs/cli.md.",
  ].join("\n")

const main = async (argv: ReadonlyArray<string>): Promise<string> => {
  const words = argv.filter((arg) => !arg.startsWith("-"))
  if (words.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    if (words.length === 0 && !argv.some((arg) => arg === "--help" || arg === "-h"))
      usage("which command? (pnpm bot --help)")
    return mainHelp()
  }
  const help = argv.includes("--help") || argv.includes("-h")
  if (words[0] === "tenant" && words[1] === undefined)
    return help ? groupHelp("tenant") : usage("tenant needs a command: new or decommission (pnpm bot tenant --help)")
  const name = words[0] === "tenant" ? `tenant ${words[1] ?? ""}` : (words[0] as string)
  const command = commands[name] ?? usage(`unknown command "${name.trim()}" (pnpm bot --help lists them)`)
  if (help) return commandHelp(name, command)
  const options = Object.fromEntries(
    Object.entries(command.flags).map(([flag, spec]) => [
      flag,
      {
        type: spec.type,
        ...(spec.multiple ? { multiple: true } : {}),
        ...(spec.default !== undefined ? { default: spec.default } : {}),
      },
    ]),
  )
  let parsed: { values: Record<string, unknown>; positionals: Array<string> }
  try {
    parsed = parseArgs({ args: [...argv], options: options as never, allowPositionals: true, strict: true }) as never
  } catch (error) {
    return usage(`${(error as Error).message.split("\n")[0]} (pnpm bot ${name} --help)`)
  }
  const positionals = parsed.positionals.slice(name.split(" ").length)
  return command.run(parsed.values, positionals)
}

try {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`)
} catch (error) {
  const message = error instanceof Error ? error.message : String(error)
  // A usage error is one line; a failure says everything it knows (every invalid field of a file).
  process.stderr.write(
    `ppi-bot: ${redactCredentials(error instanceof UsageError ? (message.split("\n")[0] ?? message) : message, [process.env.GITHUB_TOKEN, process.env.KUBE_TOKEN])}\n`,
  )
  process.exit(error instanceof UsageError ? 2 : 1)
}
