import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { PLATFORM_FILE } from "@ppi/config"
import { TenantFiles } from "@ppi/synth"
import { platformFileText, roomyPlatformInput } from "@ppi/synth/testing"
import { Effect } from "effect"
import { type PublishOptions, provenanceOf, publish, pullRequestOf, trailersOf } from "./publish.ts"
import { diffHash, treeChanges } from "./render-diff.ts"
import { makeRemote, tenantFile } from "./testing/git-fixture.ts"

let fixture: ReturnType<typeof makeRemote>
beforeEach(() => {
  fixture = makeRemote()
})
afterEach(() => fixture.cleanup())

const options = (extra: Partial<PublishOptions> = {}): PublishOptions => ({
  remote: fixture.remote,
  sourceBranch: "main",
  deployBranch: "deploy",
  synthVersion: "test",
  ...extra,
})
const run = (extra: Partial<PublishOptions> = {}) =>
  Effect.runPromise(publish(options(extra)).pipe(Effect.provide(TenantFiles.layer)))
const runResult = (extra: Partial<PublishOptions> = {}) =>
  Effect.runPromise(Effect.result(publish(options(extra)).pipe(Effect.provide(TenantFiles.layer))))
const deployFiles = () => fixture.git("ls-tree", "-r", "--name-only", "deploy").split("\n")
const deployTenants = () =>
  [
    ...new Set(
      deployFiles()
        .filter((f) => f.includes("/"))
        .map((f) => f.split("/")[0]),
    ),
  ].sort()
/** The deploy branch's files at a commit, as the preview's checkout of it would read them. */
const readTree = async (commit: string) =>
  new Map(
    fixture
      .git("ls-tree", "-r", "--name-only", commit)
      .split("\n")
      .filter((file) => file.includes("/"))
      .map((file) => [file, `${fixture.git("show", `${commit}:${file}`)}\n`] as const),
  )
const deployCommits = () => Number(fixture.git("rev-list", "--count", "deploy"))

describe("publish", () => {
  it("commits the synth to the deploy branch with provenance, marked as generated", async () => {
    const result = await run()
    expect(result._tag).toBe("Published")
    expect(deployTenants()).toEqual(["_platform", "acme", "globex", "hobby", "initech"])
    expect(deployFiles()).toEqual(expect.arrayContaining([".gitattributes", "README.md", "acme/app/manifest.yaml"]))
    expect(fixture.git("show", "deploy:.gitattributes")).toContain("linguist-generated=true")
    const provenance = provenanceOf(fixture.git("log", "-1", "--format=%B", "deploy"))
    expect(provenance).toEqual({
      sourceCommit: fixture.git("rev-parse", "main"),
      synthVersion: "test",
      tenantsChanged: "_platform, acme, globex, hobby, initech".replace("_platform, ", ""),
    })
  })

  it("writes the fleet report next to the manifests, and makes no deploy commit for a change of nothing else", async () => {
    await run()
    const report = fixture.git("show", "deploy:_platform/report.html")
    expect(report).toContain(
      `source commit <code data-metric="source-commit">${fixture.git("rev-parse", "main").slice(0, 12)}</code>`,
    )
    expect(report).toContain('data-metric="tenants-total" data-value="4"')
    fixture.commit("Docs only", { "docs/notes.md": "nothing deployable\n" })
    expect((await run())._tag).toBe("Unchanged")
    expect(deployCommits()).toBe(1)
  })

  it("makes one commit when run twice on the same source", async () => {
    await run()
    const second = await run()
    expect(second._tag).toBe("Unchanged")
    expect(deployCommits()).toBe(1)
  })

  it("names only the tenants a change touched", async () => {
    await run()
    fixture.commit("Scale acme", { "tenants/acme.ts": tenantFile("acme", "pro", ", replicas: 4") })
    const result = await run()
    expect(result._tag === "Published" && result.tenantsChanged).toEqual(["acme"])
    expect(fixture.git("log", "-1", "--format=%B", "deploy")).toContain("Tenants-Changed: acme")
  })

  it("holds back a tenant whose file vanished, publishes every other change, and says so", async () => {
    await run()
    fixture.commit("Oops (#41)", {
      "tenants/hobby.ts": null,
      "tenants/acme.ts": tenantFile("acme", "pro", ", replicas: 4"),
    })
    const result = await run()
    expect(result).toMatchObject({ _tag: "Published", heldBack: ["hobby"], tenantsChanged: ["acme"] })
    expect(deployTenants()).toContain("hobby")
    expect(fixture.git("show", "deploy:acme/app/manifest.yaml")).toContain("minReplicas: 4")
    const trailers = trailersOf(fixture.git("log", "-1", "--format=%B", "deploy"))
    expect(trailers["Held-Back"]).toContain("hobby")
    expect(trailers["Pull-Request"]).toBe("#41 (from the source commit message)")
    // A later publish of an unrelated tenant is not blocked either.
    fixture.commit("Add zeta", { "tenants/zeta.ts": tenantFile("zeta", "free") })
    expect(await run()).toMatchObject({ _tag: "Published", heldBack: ["hobby"], tenantsChanged: ["zeta"] })
    // allow-removal releases it.
    expect(await run({ allowRemovals: ["hobby"] })).toMatchObject({ _tag: "Published", heldBack: [] })
    expect(deployTenants()).not.toContain("hobby")
  })

  it("holds back a rename that keeps its custom domain too: two tenants never route one hostname", async () => {
    await run()
    const platform = readFileSync(join(fixture.dev, PLATFORM_FILE), "utf8")
    fixture.commit("Rename acme", {
      "tenants/acme.ts": null,
      "tenants/acme-co.ts": tenantFile("acme-co", "pro", ', hostnames: ["portal.acme.example"]'),
      "tenants/zeta.ts": tenantFile("zeta", "free"),
      [PLATFORM_FILE]: platform.replace("verified: {", 'verified: { "acme-co": ["acme.example"],'),
    })
    const result = await run()
    expect(result).toMatchObject({ _tag: "Published", heldBack: ["acme", "acme-co"] })
    expect(deployTenants()).toContain("acme")
    expect(deployTenants()).not.toContain("acme-co")
    expect(deployTenants()).toContain("zeta")
  })

  it("records what changed, the PR, the synth version and the preview's diff hash in the trailers", async () => {
    await run()
    const before = readTree(fixture.git("rev-parse", "deploy"))
    fixture.commit("Merge pull request #77 from org/scale-acme\n\nScale acme", {
      "tenants/acme.ts": tenantFile("acme", "pro", ", replicas: 3"),
      "tenants/zeta.ts": tenantFile("zeta", "free"),
    })
    await run({ synthVersion: "@ppi/synth@0.1.0+abc" })
    const trailers = trailersOf(fixture.git("log", "-1", "--format=%B", "deploy"))
    expect(trailers).toMatchObject({
      "Tenants-Changed": "acme, zeta",
      "Platform-Changed": "_platform/argocd/manifest.yaml",
      "Pull-Request": "#77 (from the source commit message)",
      "Synth-Version": "@ppi/synth@0.1.0+abc",
    })
    // The same hash the preview prints: the diff of the deploy branch before and after.
    const after = readTree(fixture.git("rev-parse", "deploy"))
    expect(trailers["Preview-Diff-Hash"]).toBe(diffHash(treeChanges(await before, await after)))
    fixture.commit("Touch nothing", {})
    expect(pullRequestOf("Scale acme (#12)\n\nbody")).toBe(12)
    expect(pullRequestOf("Scale acme\n\nsee #12")).toBeUndefined()
  })

  it("removes a decommissioned tenant", async () => {
    await run()
    fixture.commit("Decommission hobby", {
      "tenants/hobby.ts": tenantFile("hobby", "free", ', state: "decommissioned"'),
    })
    expect((await run())._tag).toBe("Published")
    expect(deployTenants()).not.toContain("hobby")
  })

  it("refuses an empty synth over a populated deploy branch", async () => {
    await run()
    fixture.commit(
      "Lose everything",
      Object.fromEntries(["acme", "globex", "hobby", "initech"].map((t) => [`tenants/${t}.ts`, null])),
    )
    const result = await runResult()
    expect(result._tag === "Failure" && result.failure._tag).toBe("DeletionRefused")
    expect(result._tag === "Failure" && result.failure.message).toContain("empty synth")
  })

  it("with concurrent publishers, ends on the synth of the latest main and loses nothing", async () => {
    await run()
    const publishers: Array<Promise<unknown>> = []
    for (let i = 0; i < 4; i++) {
      fixture.commit(`Add tenant t${i}`, { [`tenants/t${i}.ts`]: tenantFile(`t${i}`, "free") })
      publishers.push(run({ maxAttempts: 20 }))
    }
    const results = (await Promise.all(publishers)) as ReadonlyArray<{ _tag: string; attempts: number }>
    expect(results.every((r) => r._tag === "Published" || r._tag === "Unchanged")).toBe(true)
    expect(provenanceOf(fixture.git("log", "-1", "--format=%B", "deploy")).sourceCommit).toBe(
      fixture.git("rev-parse", "main"),
    )
    expect(deployTenants()).toEqual(["_platform", "acme", "globex", "hobby", "initech", "t0", "t1", "t2", "t3"])
    // Every deploy commit is a fast-forward of the previous one: nothing was overwritten.
    expect(fixture.git("rev-list", "--merges", "deploy")).toBe("")
  }, 120_000)

  it("publishes a fleet of 1,000 tenants, then nothing on a rerun", async () => {
    const tiers = ["free", "pro", "enterprise"]
    // Shared servers sized for the fleet: the synth refuses a fleet that does not fit them.
    fixture.commit("A thousand tenants", {
      [PLATFORM_FILE]: platformFileText(roomyPlatformInput()),
      ...Object.fromEntries(
        Array.from({ length: 1000 }, (_, i) => [
          `tenants/fleet-${i}.ts`,
          tenantFile(`fleet-${i}`, tiers[i % 3] ?? "free"),
        ]),
      ),
    })
    expect((await run())._tag).toBe("Published")
    expect(deployTenants()).toHaveLength(1005)
    expect((await run())._tag).toBe("Unchanged")
    expect(deployCommits()).toBe(1)
  }, 600_000)
})
