import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  decodeRolloutState,
  encodeRolloutState,
  type Platform,
  planWaves,
  ROLLOUT_FILE,
  type RolloutState,
  type Tenant,
  type Wave,
  type WaveFailure,
} from "@ppi/config"
import { Effect, Match } from "effect"
import { type AppHealth, ArgoApplications } from "./argo-applications.ts"
import { git, gitWith, remoteAuthEnv } from "./git.ts"
import { type PublishOptions, publish, type RolloutInput, RolloutRefused } from "./publish.ts"
import { upsertStickyComments } from "./sticky-comments.ts"

export type RolloutCommand = "advance" | "pause" | "resume" | "rollback"

/** How one wave stands: healthy for long enough, still on its way, or failed (with why, per tenant). */
export type WaveVerdict =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Waiting"; readonly why: ReadonlyArray<string> }
  | { readonly _tag: "Failed"; readonly failed: ReadonlyArray<WaveFailure> }

const healthy = (app: AppHealth, revision: string) =>
  app.sync === "Synced" && app.revision === revision && app.health === "Healthy" && app.operation === "Succeeded"

/** Why an Application has failed for good (not merely not ready yet), or undefined. */
const failure = (app: AppHealth, revision: string): string | undefined => {
  if (!app.exists) return undefined
  if (app.health === "Degraded" || app.health === "Missing")
    return `health ${app.health}${app.healthMessage ? `: ${app.healthMessage}` : ""}`
  if (app.revision === revision && (app.operation === "Failed" || app.operation === "Error"))
    return `sync ${app.operation}${app.operationMessage ? `: ${app.operationMessage}` : ""}`
  return undefined
}

const describe = (app: AppHealth) =>
  `${app.name}: ${app.exists ? `${app.sync ?? "?"} ${app.revision?.slice(0, 12) ?? "-"}, ${app.health ?? "?"}, last sync ${app.operation ?? "-"}` : "no Application"}`

/**
 * The health gate of one wave: every Application Synced to the deploy head, Healthy, its last
 * sync Succeeded, and that for `soakSeconds` (counted from when the wave started or its last sync
 * finished, whichever is later). Degraded or a failed sync fails at once; not healthy within
 * `health.timeoutSeconds` fails too.
 */
const judgeWave = (input: {
  readonly apps: ReadonlyArray<AppHealth>
  readonly revision: string
  readonly wave: Wave
  readonly since: Date
  readonly now: Date
}): WaveVerdict => {
  const { apps, revision, wave, since, now } = input
  const failed = apps.flatMap((app) => {
    const reason = failure(app, revision)
    return reason === undefined ? [] : [{ tenant: app.name, reason }]
  })
  if (failed.length > 0) return { _tag: "Failed", failed }
  const waiting = apps.filter((app) => !healthy(app, revision))
  const elapsed = (now.getTime() - since.getTime()) / 1000
  if (waiting.length > 0)
    return elapsed > wave.health.timeoutSeconds
      ? {
          _tag: "Failed",
          failed: waiting.map((app) => ({
            tenant: app.name,
            reason: `not healthy within ${wave.health.timeoutSeconds}s (${describe(app)})`,
          })),
        }
      : { _tag: "Waiting", why: waiting.map(describe) }
  const settled = Math.max(since.getTime(), ...apps.map((app) => (app.finishedAt ? Date.parse(app.finishedAt) : 0)))
  const soaked = (now.getTime() - settled) / 1000
  return soaked >= wave.soakSeconds
    ? { _tag: "Ready" }
    : { _tag: "Waiting", why: [`soaking: ${Math.floor(soaked)}s of ${wave.soakSeconds}s`] }
}

/** The tenants a wave moves (its Applications are named after them). */
const waveTenants = (platform: Platform, tenants: ReadonlyArray<Tenant>, wave: number) =>
  planWaves(platform.rollout, tenants)[wave]?.tenants ?? []

const refuse = (command: RolloutCommand, state: RolloutState) =>
  Effect.fail(new RolloutRefused({ reason: `cannot ${command} a rollout that is ${state.status}` }))

/**
 * Judges one wave that has tenants by their Applications: the state to stop at (unchanged while it
 * waits, halted with the failures when it fails), or undefined when it is healthy and the rollout goes on.
 */
const judgeMembers = (
  current: RolloutState,
  wave: Wave,
  members: ReadonlyArray<string>,
  deployHead: string | undefined,
  now: Date,
  notes: Array<string>,
): Effect.Effect<RolloutState | undefined, RolloutRefused, ArgoApplications> =>
  Effect.gen(function* () {
    const apps = yield* (yield* ArgoApplications)
      .read(members)
      .pipe(Effect.mapError((error) => new RolloutRefused({ reason: error.message, cause: error })))
    const verdict = judgeWave({
      apps,
      revision: deployHead ?? "",
      wave,
      since: new Date(current.since),
      now,
    })
    if (verdict._tag === "Waiting") {
      notes.push(`wave ${current.wave + 1} (${wave.name}) not ready: ${verdict.why.join("; ")}`)
      return current
    }
    if (verdict._tag === "Failed") {
      notes.push(`wave ${current.wave + 1} (${wave.name}) failed`)
      return { ...current, status: "halted" as const, since: now.toISOString(), failed: verdict.failed }
    }
    notes.push(`wave ${current.wave + 1} (${wave.name}) healthy: ${members.join(", ")}`)
    return undefined
  })

/**
 * `advance`: moves a rolling rollout on wave by wave while each deployed wave passes the gate,
 * skipping waves without tenants, and stops at the first wave that still has to be deployed.
 */
const advanceRollout = (
  input: RolloutInput,
  now: Date,
  notes: Array<string>,
): Effect.Effect<RolloutState, RolloutRefused, ArgoApplications> =>
  Effect.gen(function* () {
    const { state, platform, tenants, deployHead } = input
    const since = now.toISOString()
    if (state.status !== "rolling") {
      notes.push(`rollout is ${state.status}: nothing to advance`)
      return state
    }
    // A publish that starts a rollout right now: its first wave is not deployed yet.
    if (input.deployed === undefined || encodeRolloutState(input.deployed) !== encodeRolloutState(state)) {
      notes.push("the rollout starts with this deploy commit")
      return state
    }
    let current = state
    const last = platform.rollout.waves.length - 1
    for (;;) {
      const wave = platform.rollout.waves[current.wave]
      const members = waveTenants(platform, tenants, current.wave)
      if (wave === undefined) return { ...current, status: "done" as const, since }
      if (members.length > 0) {
        const stop = yield* judgeMembers(current, wave, members, deployHead, now, notes)
        if (stop !== undefined) return stop
      } else notes.push(`wave ${current.wave + 1} (${wave.name}) has no tenants`)
      if (current.wave >= last) return { ...current, status: "done" as const, since }
      current = { ...current, wave: current.wave + 1, since }
      // The next wave has to be deployed before it can be judged, unless it is empty.
      if (waveTenants(platform, tenants, current.wave).length > 0) return current
    }
  })

/**
 * The next state for a command. `advance` moves a rolling rollout on when its wave passes the
 * gate (skipping waves without tenants), halts it with the failures when it fails, and otherwise
 * leaves it be; the others change the status. Notes say what was seen, for the log.
 */
const stepRollout = (
  command: RolloutCommand,
  input: RolloutInput,
  now: Date,
  notes: Array<string>,
): Effect.Effect<RolloutState, RolloutRefused, ArgoApplications> =>
  Effect.gen(function* () {
    const { state } = input
    const since = now.toISOString()
    return yield* Match.value(command).pipe(
      Match.when("pause", () =>
        state.status === "rolling"
          ? Effect.succeed({ ...state, status: "paused" as const, since })
          : refuse(command, state),
      ),
      Match.when("resume", () => {
        if (state.status !== "paused" && state.status !== "halted") return refuse(command, state)
        const { failed: _, ...rest } = state
        return Effect.succeed({ ...rest, status: "rolling" as const, since })
      }),
      Match.when("rollback", () =>
        state.status === "rolling" || state.status === "paused" || state.status === "halted"
          ? Effect.succeed({ ...state, status: "rolled-back" as const, since })
          : refuse(command, state),
      ),
      Match.when("advance", () => advanceRollout(input, now, notes)),
      Match.exhaustive,
    )
  })

/** Runs a rollout command as a publish of main whose rollout state the command decides. */
export const runRollout = (command: RolloutCommand, options: PublishOptions) =>
  Effect.gen(function* () {
    const services = yield* Effect.context<ArgoApplications>()
    const notes: Array<string> = []
    let before: RolloutState | undefined
    const result = yield* publish({
      ...options,
      rollout: (input) => {
        notes.length = 0
        before = input.deployed
        return stepRollout(command, input, (options.now ?? (() => new Date()))(), notes).pipe(
          Effect.provideContext(services),
        )
      },
    })
    const halted = result.rollout.status === "halted" && before?.status !== "halted"
    return { result, notes, halted }
  })

export const ROLLOUT_MARKER = "<!-- ppi-rollout -->"

/** The halt report: which tenants failed and why, and what to do next. */
export const haltReport = (state: RolloutState, platform: Platform): string =>
  [
    ROLLOUT_MARKER,
    `### Rollout of \`${state.to.tag}\` halted at wave ${state.wave + 1} (${platform.rollout.waves[state.wave]?.name ?? "?"})`,
    "",
    `The rest of the fleet stays on \`${state.from.tag}\`. Failed:`,
    "",
    ...(state.failed ?? []).map((failure) => `- **${failure.tenant}**: ${failure.reason}`),
    "",
    "Fix and `pnpm bot rollout resume`, or `pnpm bot rollout rollback` to return the wave to the old version (or run the Rollout workflow with that command).",
  ].join("\n")

/** Posts the halt report on the pull request that changed the version (sticky: one comment per PR). */
export const reportHalt = (state: RolloutState, platform: Platform) =>
  state.pullRequest === undefined
    ? Effect.succeed(false)
    : upsertStickyComments(state.pullRequest, [haltReport(state, platform)], ROLLOUT_MARKER).pipe(Effect.as(true))

/** The rollout state on the deploy branch, read without a checkout (`pnpm bot rollout status`). */
export const readDeployedRollout = (remote: string, deployBranch: string, token?: string) =>
  Effect.acquireUseRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "ppi-rollout-"))),
    (repo) =>
      Effect.gen(function* () {
        yield* git(repo, "init", "--quiet")
        yield* gitWith(
          repo,
          remoteAuthEnv(remote, token),
          "fetch",
          "--quiet",
          "--no-tags",
          "--depth=1",
          remote,
          `+refs/heads/${deployBranch}:refs/remotes/origin/deploy`,
        )
        const text = yield* git(repo, "show", `refs/remotes/origin/deploy:${ROLLOUT_FILE}`).pipe(
          Effect.orElseSucceed(() => undefined),
        )
        return text === undefined ? undefined : decodeRolloutState(JSON.parse(text))
      }),
    (repo) => Effect.promise(() => rm(repo, { recursive: true, force: true })),
  )
