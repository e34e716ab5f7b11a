import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import {
  FLEET_FOLDER,
  METADATA_FILE,
  PLATFORM_FILE,
  type Platform,
  REPORT_FILE,
  type RolloutState,
  rolloutOnPublish,
  type Tenant,
} from "@ppi/config"
import { checkTree, checkTreeChanges, formatViolation } from "@ppi/policy"
import { fleetData, renderReport } from "@ppi/report"
import {
  buildTree,
  InputUnreadable,
  loadPlatformSource,
  metadataPath,
  OutputFailed,
  previousFromTree,
  readMetadata,
  readTree,
  type SynthError,
  synthInputs,
  TenantFiles,
  type Tree,
} from "@ppi/synth"
import { Effect, Schedule, Schema } from "effect"
import { commitTree, type Signer, type SigningRefused, signerFor, stopSigningAgent } from "./commit-signing.ts"
import { checkRemovals, type DeletionRefused, tenantFolders } from "./deletion-guard.ts"
import { DEPLOY_GITATTRIBUTES, DEPLOY_README, trailer } from "./deploy-branch.ts"
import { deployedRollout, describeRollout } from "./deployed-rollout.ts"
import { GitError, git, gitWith, hasCredentials, remoteAuthEnv } from "./git.ts"
import { holdBack, withFleetOf } from "./held-back.ts"
import { diffHash, treeChanges } from "./render-diff.ts"

export interface PublishOptions {
  /** Any git remote: an https URL without credentials, or a local path. */
  readonly remote: string
  /** The token for an https remote; it reaches git through the environment only, never argv. */
  readonly token?: string
  /** The armored GPG private key deploy commits are signed with, when the platform lists signing keys. */
  readonly signingKey?: string
  readonly sourceBranch: string
  readonly deployBranch: string
  readonly synthVersion: string
  readonly allowRemovals?: ReadonlyArray<string>
  readonly allowEmpty?: boolean
  readonly maxAttempts?: number
  /** The clock rollout states are stamped with (tests set it). */
  readonly now?: () => Date
  /**
   * Moves the rollout on (`pnpm bot rollout`): given the state this publish would record and the
   * deploy head it builds on, the state to record instead. Without it, a publish only starts a
   * rollout when main's API version differs from the deployed one.
   */
  readonly rollout?: (input: RolloutInput) => Effect.Effect<RolloutState, RolloutRefused>
}

export interface RolloutInput {
  readonly state: RolloutState
  /** What the deploy branch records now (differs from `state` when this publish starts a rollout). */
  readonly deployed: RolloutState | undefined
  /** The deploy branch's head, undefined before the first publish. */
  readonly deployHead: string | undefined
  readonly platform: Platform
  readonly tenants: ReadonlyArray<Tenant>
}

/** The rollout step could not decide (Argo CD unreadable, a command that does not apply to the state). */
export class RolloutRefused extends Schema.TaggedError<RolloutRefused>()("RolloutRefused", {
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Defect()),
}) {
  override get message(): string {
    return this.reason
  }
}

export type PublishResult =
  | {
      readonly _tag: "Published"
      readonly commit: string
      readonly sourceCommit: string
      readonly tenantsChanged: ReadonlyArray<string>
      /** Tenants whose removal was held back: their files vanished without a decommission; they stay deployed. */
      readonly heldBack: ReadonlyArray<string>
      /** Tenants rendered; the others were reused from the bot-signed deploy head (inputs unchanged). */
      readonly rendered: number
      readonly attempts: number
      readonly rollout: RolloutState
    }
  | {
      readonly _tag: "Unchanged"
      readonly sourceCommit: string
      readonly heldBack: ReadonlyArray<string>
      readonly attempts: number
      readonly rollout: RolloutState
    }

/** Whether two trees hold the same manifests (and rollout state), the report and root files aside. */
const sameManifests = (next: Tree, deployed: Tree): boolean => {
  const keys = (tree: Tree) => [...tree.keys()].filter((file) => file.includes("/") && file !== REPORT_FILE)
  const a = keys(next)
  return a.length === keys(deployed).length && a.every((file) => next.get(file) === deployed.get(file))
}

/** The tree about to be published breaks a guardrail: nothing is committed. */
export class PolicyRefused extends Schema.TaggedError<PolicyRefused>()("PolicyRefused", {
  violations: Schema.Array(Schema.String),
}) {
  override get message(): string {
    return `not publishing: the tree breaks the policy\n${this.violations.join("\n")}`
  }
}

/** Someone else moved the deploy branch between our fetch and our push; `cause` is the refused push. */
export class LostRace extends Schema.TaggedError<LostRace>()("LostRace", {
  attempt: Schema.Number,
  cause: Schema.Defect(),
}) {
  override get message(): string {
    return `the deploy branch moved while attempt ${this.attempt} was publishing (push refused)`
  }
}

const fileTree = async (dir: string, tree: Tree): Promise<void> => {
  for (const [file, content] of [
    ...tree,
    [".gitattributes", DEPLOY_GITATTRIBUTES],
    ["README.md", DEPLOY_README],
  ] as const) {
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await writeFile(join(dir, file), content)
  }
}

/** File work in publish's scratch folder, failing with the path and the cause. */
const scratch = <A>(path: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (error) => new OutputFailed({ path, reason: String(error) }) })

/** The files of a commit (the deploy branch's manifests), as a tree: one checkout into a scratch folder. */
const treeAt = (repo: string, commit: string, scratch: string) =>
  Effect.gen(function* () {
    yield* Effect.tryPromise({
      try: () => mkdir(scratch, { recursive: true }),
      catch: (error) => new InputUnreadable({ path: scratch, reason: String(error) }),
    })
    // `:/` is the top of the tree wherever git runs from; a scratch index leaves the repository's alone.
    yield* gitWith(
      repo,
      { GIT_INDEX_FILE: `${scratch}.index` },
      `--work-tree=${scratch}`,
      "checkout",
      commit,
      "--",
      ":/",
    )
    return yield* Effect.tryPromise({
      try: () => readTree(scratch),
      catch: (error) => new InputUnreadable({ path: `deploy commit ${commit}`, reason: String(error) }),
    })
  })

/** Whether `commit` carries a good signature by the bot's key (the only key in the signer's keyring). */
const signedByBot = (repo: string, signer: Signer | undefined, commit: string) =>
  signer === undefined
    ? Effect.succeed(false)
    : gitWith(repo, signer.env, "verify-commit", commit).pipe(
        Effect.as(true),
        Effect.orElseSucceed(() => false),
      )

const revParse = (repo: string, ref: string) =>
  git(repo, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`).pipe(
    Effect.map((sha) => sha.trim()),
    Effect.orElseSucceed(() => undefined),
  )

/**
 * A scratch repository with the remote's deploy and source heads, fetched in that order so the
 * source is never older than what is deployed. The deploy branch may not exist yet (first publish).
 */
const fetchHeads = (repo: string, options: PublishOptions) =>
  Effect.gen(function* () {
    yield* scratch(repo, () => mkdir(repo))
    yield* git(repo, "init", "--quiet")
    const deployRef = `refs/remotes/origin/${options.deployBranch}`
    const sourceRef = `refs/remotes/origin/${options.sourceBranch}`
    const auth = remoteAuthEnv(options.remote, options.token)
    const fetch = (branch: string, ref: string) =>
      gitWith(repo, auth, "fetch", "--quiet", "--no-tags", options.remote, `+refs/heads/${branch}:${ref}`)
    yield* fetch(options.deployBranch, deployRef).pipe(Effect.orElseSucceed(() => ""))
    yield* fetch(options.sourceBranch, sourceRef)
    const parent = yield* revParse(repo, deployRef)
    const sourceCommit = (yield* git(repo, "rev-parse", sourceRef)).trim()
    return { auth, parent, sourceCommit }
  })

/** The source commit's platform file and tenants folder, the only inputs synth reads, checked out into `source`. */
const checkoutSource = (repo: string, source: string, sourceCommit: string) =>
  Effect.gen(function* () {
    yield* scratch(source, () => mkdir(source))
    yield* git(repo, `--work-tree=${source}`, "checkout", sourceCommit, "--", PLATFORM_FILE)
    // A source without tenants/ is an empty fleet (which the deletion guard then judges), not an error.
    yield* git(repo, `--work-tree=${source}`, "checkout", sourceCommit, "--", "tenants").pipe(
      Effect.orElseSucceed(() => ""),
    )
    yield* scratch(source, () => mkdir(join(source, "tenants"), { recursive: true }))
  })

/** The source's platform and tenants, decoded, and the signer its platform asks for. */
const loadSource = (repo: string, work: string, options: PublishOptions, sourceCommit: string) =>
  Effect.gen(function* () {
    const source = join(work, "source")
    yield* checkoutSource(repo, source, sourceCommit)
    const { platform, text: platformText } = yield* loadPlatformSource(join(source, PLATFORM_FILE))
    // Checked before any work: a publish that cannot sign must not get as far as pushing.
    const signer = yield* signerFor(platform, options.signingKey, work)
    // Loaded and decoded once: the rollout needs the fleet before the render does.
    const tenants = yield* (yield* TenantFiles).load(join(source, "tenants"))
    return { platform, platformText, signer, tenants }
  })

/**
 * The rollout state to record: a new API version on main starts a rollout at wave 0 over the
 * deployed state; `bot rollout` (`options.rollout`) then moves it on.
 */
const decideRollout = (
  options: PublishOptions,
  input: {
    readonly deployed: Tree
    readonly parent: string | undefined
    readonly platform: Platform
    readonly tenants: ReadonlyArray<{ readonly tenant: Tenant }>
    readonly pullRequest: number | undefined
  },
) =>
  Effect.gen(function* () {
    const { deployed, parent, platform, tenants, pullRequest } = input
    const deployedState = deployedRollout(
      deployed,
      platform,
      tenants.map(({ tenant }) => tenant),
    )
    const proposed = rolloutOnPublish(
      deployedState,
      platform.images.api,
      platform,
      (options.now ?? (() => new Date()))(),
      pullRequest,
    )
    return options.rollout === undefined
      ? proposed
      : yield* options.rollout({
          state: proposed,
          deployed: deployedState,
          deployHead: parent,
          platform,
          tenants: tenants.map(({ tenant }) => tenant),
        })
  })

/**
 * What is about to be committed, guarded: an empty fleet is refused outright; a vanished tenant is
 * held back (its deployed files kept) so that it never blocks the publish of every other tenant;
 * then the guardrails once more on exactly that tree (held-back folders included), so the deploy
 * branch holds only what the policy passes. With a trusted head, folders byte-identical to it
 * passed when it was published; the fleet-wide rules still see every folder.
 */
const guardTree = (
  repo: string,
  options: PublishOptions,
  input: {
    readonly tree: Tree
    readonly deployed: Tree
    readonly parent: string | undefined
    readonly platform: Platform
    readonly tenants: ReadonlyArray<{ readonly tenant: Tenant }>
    readonly trusted: boolean
  },
) =>
  Effect.gen(function* () {
    const { tree, deployed, parent, platform, tenants, trusted } = input
    const before =
      parent === undefined
        ? new Set<string>()
        : tenantFolders((yield* git(repo, "ls-tree", "--name-only", parent)).split("\n"))
    const refusal = checkRemovals({
      before,
      after: tenantFolders([...tree.keys()]),
      decommissioned: new Set(
        tenants.filter(({ tenant }) => tenant.state === "decommissioned").map(({ tenant }) => tenant.name),
      ),
      allowRemovals: new Set(options.allowRemovals ?? []),
      allowEmpty: options.allowEmpty ?? false,
    })
    if (refusal?.empty) return yield* refusal
    const { tree: kept, heldBack } = holdBack(tree, deployed, refusal?.tenants ?? [])
    const published = heldBack.length === 0 ? kept : withFleetOf(kept, platform)
    const report = trusted
      ? checkTreeChanges(
          published,
          deployed,
          { platform },
          (folder) => readMetadata(published.get(metadataPath(folder)))?.claims,
        )
      : checkTree(published, { platform })
    if (report.violations.length > 0)
      return yield* new PolicyRefused({ violations: report.violations.map(formatViolation) })
    return { published, heldBack }
  })

/** The published tree with the fleet report, which names the source (and deploy head) it was made from. */
const withReportOf = (
  published: Tree,
  platform: Platform,
  parent: string | undefined,
  sourceCommit: string,
  pullRequest: number | undefined,
): Tree =>
  new Map(published).set(
    REPORT_FILE,
    renderReport(
      fleetData(published, platform, {
        ...(parent === undefined ? {} : { deployCommit: parent }),
        sourceCommit,
        ...(pullRequest === undefined ? {} : { pullRequest }),
      }),
    ),
  )

/** The git tree of `tree` (plus the deploy branch's root files): written to a scratch folder, staged in a scratch index. */
const writeGitTree = (repo: string, work: string, tree: Tree) =>
  Effect.gen(function* () {
    const files = join(work, "tree")
    yield* scratch(files, () => fileTree(files, tree))
    const index = { GIT_INDEX_FILE: join(work, "index") }
    yield* gitWith(repo, index, `--work-tree=${files}`, "add", "--all", ".")
    return (yield* gitWith(repo, index, "write-tree")).trim()
  })

/** The changed files by kind: the tenants whose manifests changed, and the fleet folder's files (the report aside). */
const changesOf = (changed: ReadonlyArray<string>) => ({
  // A new synth version rewrites every tenant's metadata: a tenant changed when its manifests did.
  tenantsChanged: [...tenantFolders(changed.filter((file) => !file.endsWith(`/${METADATA_FILE}`)))].sort(),
  platformChanged: changed.filter((file) => file.startsWith(`${FLEET_FOLDER}/`) && file !== REPORT_FILE).sort(),
})

/** The deploy commit's message: a summary line, then trailers reviewers and the preview's diff check read. */
const commitMessage = (input: {
  readonly tenantsChanged: ReadonlyArray<string>
  readonly platformChanged: ReadonlyArray<string>
  readonly heldBack: ReadonlyArray<string>
  readonly rollout: RolloutState
  readonly platform: Platform
  readonly sourceCommit: string
  readonly pullRequest: number | undefined
  readonly synthVersion: string
  readonly deployed: Tree
  readonly published: Tree
}): string => {
  const { tenantsChanged, platformChanged, heldBack, sourceCommit, pullRequest } = input
  return [
    `Publish ${tenantsChanged.length} tenant${tenantsChanged.length === 1 ? "" : "s"} from ${sourceCommit.slice(0, 12)}`,
    "",
    `Tenants-Changed: ${tenantsChanged.join(", ") || "none"}`,
    `Platform-Changed: ${platformChanged.join(", ") || "no"}`,
    ...(heldBack.length > 0
      ? [
          `Held-Back: ${heldBack.join(", ")} (kept as deployed: removed without decommissioning, or claiming a hostname one of those still serves; decommission, or publish with allow-removal)`,
        ]
      : []),
    `Rollout: ${describeRollout(input.rollout, input.platform)}`,
    `Source-Commit: ${sourceCommit}`,
    `Pull-Request: ${pullRequest === undefined ? "none (no PR number in the source commit message)" : `#${pullRequest} (from the source commit message)`}`,
    `Synth-Version: ${input.synthVersion}`,
    `Preview-Diff-Hash: ${diffHash(treeChanges(input.deployed, input.published))}`,
    "",
  ].join("\n")
}

/**
 * The deploy commit of the published tree (with its report) on top of `parent`, signed when the
 * platform asks; none when its git tree is the parent's (only the report's provenance would differ).
 */
const commitPublished = (
  repo: string,
  work: string,
  signer: Signer | undefined,
  input: {
    readonly published: Tree
    readonly deployed: Tree
    readonly parent: string | undefined
    readonly platform: Platform
    readonly heldBack: ReadonlyArray<string>
    readonly rollout: RolloutState
    readonly sourceCommit: string
    readonly pullRequest: number | undefined
    readonly synthVersion: string
  },
) =>
  Effect.gen(function* () {
    const { published, parent, platform, sourceCommit, pullRequest } = input
    const treeSha = yield* writeGitTree(
      repo,
      work,
      withReportOf(published, platform, parent, sourceCommit, pullRequest),
    )
    if (parent !== undefined && (yield* git(repo, "rev-parse", `${parent}^{tree}`)).trim() === treeSha) return undefined
    const changed = (
      parent === undefined
        ? [...published.keys()]
        : (yield* git(repo, "diff", "--name-only", parent, treeSha)).split("\n")
    ).filter(Boolean)
    const { tenantsChanged, platformChanged } = changesOf(changed)
    const message = commitMessage({ ...input, tenantsChanged, platformChanged })
    const commit = yield* commitTree(repo, signer, treeSha, parent, message)
    return { commit, tenantsChanged }
  })

/** Never a force push: the remote accepts this only as a fast-forward of the head we built on; else the race is lost. */
const pushDeploy = (
  repo: string,
  auth: Readonly<Record<string, string>>,
  options: PublishOptions,
  commit: string,
  attempt: number,
) =>
  gitWith(repo, auth, "push", "--quiet", options.remote, `${commit}:refs/heads/${options.deployBranch}`).pipe(
    Effect.catchTag(
      "GitError",
      (error): Effect.Effect<never, GitError | LostRace> =>
        /rejected|fetch first|non-fast-forward|failed to update ref|cannot lock ref/.test(error.stderr)
          ? Effect.fail(new LostRace({ attempt, cause: error }))
          : Effect.fail(error),
    ),
  )

/** One attempt's work in its scratch folder `work` (see `attemptPublish`). */
const publishIn = (options: PublishOptions, attempt: number, work: string) =>
  Effect.gen(function* () {
    const repo = join(work, "repo")
    const { auth, parent, sourceCommit } = yield* fetchHeads(repo, options)
    const { platform, platformText, signer, tenants } = yield* loadSource(repo, work, options, sourceCommit)
    const deployed =
      parent === undefined ? new Map<string, string>() : yield* treeAt(repo, parent, join(work, "deployed"))
    const pullRequest = pullRequestOf(yield* git(repo, "log", "-1", "--format=%B", sourceCommit))
    const rollout = yield* decideRollout(options, { deployed, parent, platform, tenants, pullRequest })
    // A deploy head the bot signed holds only what synth rendered and the policy passed: it is
    // then the previous output (only tenants whose inputs changed are rendered) and only what
    // differs from it is checked again. Anything else (unsigned trials, a head someone else
    // pushed) is rendered and checked in full.
    const trusted = parent !== undefined && (yield* signedByBot(repo, signer, parent))
    const { tree, reused } = yield* buildTree(tenants, platform, {
      inputs: synthInputs(platformText, options.synthVersion),
      rollout,
      ...(trusted ? { previous: previousFromTree(deployed) } : {}),
    })
    const { published, heldBack } = yield* guardTree(repo, options, {
      tree,
      deployed,
      parent,
      platform,
      tenants,
      trusted,
    })
    const unchanged = { _tag: "Unchanged", sourceCommit, heldBack, attempts: attempt, rollout } as const
    // Nothing to deploy: the report alone never makes a deploy commit (it names the source).
    if (parent !== undefined && sameManifests(published, deployed)) return unchanged
    const made = yield* commitPublished(repo, work, signer, {
      published,
      deployed,
      parent,
      platform,
      heldBack,
      rollout,
      sourceCommit,
      pullRequest,
      synthVersion: options.synthVersion,
    })
    if (made === undefined) return unchanged
    const { commit, tenantsChanged } = made
    yield* pushDeploy(repo, auth, options, commit, attempt)
    return {
      _tag: "Published",
      commit,
      sourceCommit,
      tenantsChanged,
      heldBack,
      rendered: tenants.length - reused,
      attempts: attempt,
      rollout,
    } as const
  })

/**
 * One attempt: fetch the deploy branch, then the source branch (in that order, so the source is
 * never older than what is deployed), synthesize the source, check removals, commit the tree on
 * top of the deploy head, and push without force: the push only lands if the branch has not moved.
 */
const attemptPublish = (
  options: PublishOptions,
  attempt: number,
): Effect.Effect<
  PublishResult,
  SynthError | GitError | DeletionRefused | LostRace | SigningRefused | PolicyRefused | RolloutRefused,
  TenantFiles
> =>
  Effect.acquireUseRelease(
    scratch(tmpdir(), () => mkdtemp(join(tmpdir(), "ppi-publish-"))),
    (work) => publishIn(options, attempt, work),
    (work) =>
      stopSigningAgent(work).pipe(
        Effect.andThen(scratch(work, () => rm(work, { recursive: true, force: true }))),
        // A scratch folder left behind in the temp dir is not worth failing a publish that pushed.
        Effect.ignore,
      ),
  )

/** Publishes the synth of the source branch to the deploy branch; on a lost race, starts over from the new heads. */
export const publish = (
  options: PublishOptions,
): Effect.Effect<
  PublishResult,
  SynthError | GitError | DeletionRefused | LostRace | SigningRefused | PolicyRefused | RolloutRefused,
  TenantFiles
> => {
  if (hasCredentials(options.remote))
    return Effect.fail(
      new GitError({
        args: ["remote", options.remote],
        stderr: "the remote URL carries credentials: pass the token in GITHUB_TOKEN instead",
        code: 2,
      }),
    )
  let attempt = 0
  return Effect.suspend(() => attemptPublish(options, ++attempt)).pipe(
    Effect.retry({
      while: (
        error: SynthError | GitError | DeletionRefused | LostRace | SigningRefused | PolicyRefused | RolloutRefused,
      ) => error._tag === "LostRace",
      schedule: Schedule.exponential("50 millis", 2).pipe(Schedule.jittered),
      times: (options.maxAttempts ?? 8) - 1,
    }),
  )
}

/** The PR a merge commit came from: GitHub's squash title `… (#123)` or its merge message `Merge pull request #123`. */
export const pullRequestOf = (message: string): number | undefined => {
  const match = /^Merge pull request #(\d+)/m.exec(message) ?? /\(#(\d+)\)\s*$/m.exec(message.split("\n")[0] ?? "")
  return match ? Number(match[1]) : undefined
}

/** The provenance of a deploy-branch commit. */
export const provenanceOf = (message: string) => ({
  sourceCommit: trailer(message, "Source-Commit"),
  synthVersion: trailer(message, "Synth-Version"),
  tenantsChanged: trailer(message, "Tenants-Changed"),
})

/** Every trailer of a deploy-branch commit, by key. */
export const trailersOf = (message: string): Readonly<Record<string, string>> =>
  Object.fromEntries([...message.matchAll(/^([A-Z][A-Za-z-]+): (.+)$/gm)].map((match) => [match[1], match[2]?.trim()]))
