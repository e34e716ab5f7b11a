import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { decodeRolloutState, PLATFORM_FILE, REPORT_FILE, ROLLOUT_FILE, type RolloutState } from "@ppi/config"
import { buildTree, loadPlatformSource, synthInputs, TenantFiles, type Tree } from "@ppi/synth"
import { Effect } from "effect"
import { provenanceOf, publish } from "./publish.ts"
import { renderComments, treeChanges } from "./render-diff.ts"
import { makeRemote, tenantFile } from "./testing/git-fixture.ts"

/**
 * The deploy branch as a tree (what Argo CD would read), without its generated README and
 * attributes, and without the fleet report (no Application reads it; it names the merge).
 */
const deployTree = (remote: string): Tree => {
  const files = execFileSync("git", ["ls-tree", "-r", "--name-only", "deploy"], {
    cwd: remote,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  })
    .split("\n")
    .filter((file) => file.includes("/") && file !== REPORT_FILE)
  return new Map(
    files.map((file) => [file, execFileSync("git", ["show", `deploy:${file}`], { cwd: remote, encoding: "utf8" })]),
  )
}
const SYNTH_VERSION = "loop-test"

/** What CI does on a checkout: synthesize its tenants with its platform file, from scratch (and a rollout state). */
const synthOf = (checkout: string, rollout?: RolloutState) =>
  Effect.gen(function* () {
    const { platform, text } = yield* loadPlatformSource(join(checkout, PLATFORM_FILE))
    return (yield* buildTree(join(checkout, "tenants"), platform, {
      inputs: synthInputs(text, SYNTH_VERSION),
      ...(rollout === undefined ? {} : { rollout }),
    })).tree
  })
const publishMain = (remote: string) =>
  publish({ remote, sourceBranch: "main", deployBranch: "deploy", synthVersion: SYNTH_VERSION })

let fixture: ReturnType<typeof makeRemote>
beforeAll(() => {
  fixture = makeRemote()
})
afterAll(() => fixture.cleanup())

describe("the GitOps loop, end to end on real git", () => {
  // Live clock: publish backs off on a lost push race with real time.
  it.live(
    "PR adds a tenant → rendered diff → merge → publish → deploy branch holds exactly the new synth",
    () =>
      Effect.gen(function* () {
        yield* publishMain(fixture.remote)
        const git = fixture.devGit

        // A pull request adds tenants/zeta.ts on its own branch; the platform team verifies its domain.
        git("checkout", "--quiet", "-b", "add-zeta")
        const platform = readFileSync(join(fixture.dev, PLATFORM_FILE), "utf8")
        fixture.commit("Add tenant zeta", {
          "tenants/zeta.ts": tenantFile("zeta", "pro", ', hostnames: ["zeta.example.com"]'),
          [PLATFORM_FILE]: platform.replace("verified: {", 'verified: { zeta: ["example.com"],'),
        })

        // The PR job: synthesize the PR, diff it against the deploy branch, render the comments.
        const prTree = yield* synthOf(fixture.dev)
        const changes = treeChanges(deployTree(fixture.remote), prTree)
        expect(new Set(changes.map((change) => change.tenant))).toEqual(new Set(["zeta", "_platform"]))
        expect(changes.filter((c) => c.tenant === "zeta").every((c) => c.status === "added")).toBe(true)
        const comments = renderComments(changes).join("\n")
        // Each object by its identity, with the component file it sits in.
        for (const [label, file] of [
          ["Deployment zeta/api", "zeta/app/manifest.yaml"],
          ["Namespace zeta", "zeta/platform/manifest.yaml"],
          ["Application argocd/zeta", "zeta/argocd/manifest.yaml"],
        ])
          expect(comments).toMatch(new RegExp(`${label}(</code>|\`)[^\n]* · (<code>|\`)${file}`))
        expect(comments).toContain("| `zeta` |")
        // Merge, then the publish job.
        git("checkout", "--quiet", "main")
        git("merge", "--quiet", "--no-ff", "-m", "Merge add-zeta", "add-zeta")
        git("push", "--quiet", "origin", "main")
        const merged = git("rev-parse", "HEAD")
        const result = yield* publishMain(fixture.remote)
        expect(result._tag).toBe("Published")
        // The same version as before: the recorded rollout state is kept, and synth renders it as is.
        const deployed = deployTree(fixture.remote)
        const state = decodeRolloutState(JSON.parse(deployed.get(ROLLOUT_FILE) ?? ""))
        expect(state.status).toBe("done")
        expect(deployed).toEqual(yield* synthOf(fixture.dev, state))
        expect(
          provenanceOf(
            execFileSync("git", ["log", "-1", "--format=%B", "deploy"], { cwd: fixture.remote, encoding: "utf8" }),
          ),
        ).toEqual({
          sourceCommit: merged,
          synthVersion: SYNTH_VERSION,
          tenantsChanged: "zeta",
        })
        // A rerun is a no-op.
        expect((yield* publishMain(fixture.remote))._tag).toBe("Unchanged")
      }).pipe(Effect.provide(TenantFiles.layer)),
    120_000,
  )
})
