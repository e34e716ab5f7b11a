import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import type { Platform } from "@ppi/config"
import { PLATFORM_FILE } from "@ppi/config"
import { parseDataFile } from "@ppi/data-file"
import { buildTree, loadPlatform, TenantFiles } from "@ppi/synth"
import { Effect } from "effect"
import { loadTenants, renderPreview } from "./preview.ts"
import { COMMENT_LIMIT } from "./render-diff.ts"
import { renderTenantFile } from "./tenant-file.ts"

const root = new URL("../../../", import.meta.url).pathname
const basePlatform = await Effect.runPromise(loadPlatform(join(root, PLATFORM_FILE)))
const platform: Platform = {
  ...basePlatform,
  domains: { ...basePlatform.domains, verified: { ...basePlatform.domains.verified, wayne: ["wayne.example"] } },
}

/** The example fleet with one edit, synthesized for real and decoded from its files (as text). */
const fleet = async (edit: (dir: string) => void = () => {}, on: Platform = platform) => {
  const dir = mkdtempSync(join(tmpdir(), "ppi-preview-"))
  cpSync(join(root, "tenants"), dir, { recursive: true })
  edit(dir)
  const run = <A, E>(effect: Effect.Effect<A, E, TenantFiles>) =>
    Effect.runPromise(effect.pipe(Effect.provide(TenantFiles.layer)))
  const { tree } = await run(buildTree(dir, on))
  const tenants = await run(loadTenants(dir))
  rmSync(dir, { recursive: true, force: true })
  return { tree, tenants }
}

const base = await fleet()
/** The deploy branch is the example fleet's synth; the PR's base is the example fleet unless `baseTenants` says. */
const preview = async (
  edit: (dir: string) => void,
  options: { readonly baseTenants?: typeof base.tenants; readonly platform?: Platform } = {},
) => {
  const next = await fleet(edit, options.platform)
  const rendered = renderPreview({
    before: new Map([...base.tree, ["README.md", "# deploy\n"], [".gitattributes", "* linguist-generated\n"]]),
    after: next.tree,
    beforeTenants: options.baseTenants ?? base.tenants,
    afterTenants: next.tenants,
    ...(options.platform ? { platform: options.platform } : {}),
  })
  const body = rendered.comments.join("\n")
  return { ...rendered, firstLine: rendered.comments[0]?.split("\n")[1] ?? "", body }
}
/** What a reviewer sees before expanding anything: the comment without its collapsed sections. */
const uncollapsed = (body: string) => body.replace(/<details><summary>[\s\S]*?<\/details>/g, "")
const write = (dir: string, input: Record<string, unknown>) =>
  writeFileSync(join(dir, `${input.name}.ts`), renderTenantFile(input as never))
/** An example tenant as the repository has it, read as data (the tests change one field at a time). */
const example = (name: string) => {
  const parsed = parseDataFile(
    `${name}.ts`,
    readFileSync(new URL(`../../../tenants/${name}.ts`, import.meta.url), "utf8"),
  )
  if (parsed._tag === "Refused") throw new Error(JSON.stringify(parsed.problems))
  return parsed.value as Record<string, unknown>
}
const acme = example("acme")
const globex = example("globex")

describe("the PR preview", () => {
  it("adds one tenant: says so in words, shows it against an existing tenant, far under the old 38 KB", async () => {
    const result = await preview((dir) => write(dir, { name: "wayne", tier: "pro", hostnames: ["app.wayne.example"] }))
    expect(result.firstLine).toBe("**Adds tenant wayne (pro, 1 custom domain); updates 1 fleet object.**")
    expect(result.verdict.blocked).toBe(false)
    expect(result.comments).toHaveLength(1)
    expect(result.body.length).toBeLessThan(10_000)
    expect(result.body).toContain("as <code>acme</code>'s")
    // The full diff (job summary) still has every added object in full.
    expect(result.full).toContain("+kind: NetworkPolicy")
    expect(result.body).not.toContain("README.md")
    expect(result.body).not.toContain(".gitattributes")
    console.info(`one-tenant add: comment ${result.body.length} characters, full diff ${result.full.length}`)
  })

  it("moves a tenant to another tier: the deltas in words, the tier label shown once for all objects", async () => {
    const result = await preview((dir) => write(dir, { ...acme, tier: "enterprise", replicas: 3 }))
    expect(result.firstLine).toBe(
      "**Moves acme pro → enterprise: replicas 2 → 3, HPA max 6 → 20, quota cpu 14 → 168, topology spread on.**",
    )
    expect(result.body).toMatch(/<code>metadata\.labels<\/code>: the same change in 26 objects/)
    expect(result.body.match(/platform\.parametric\.dev\/tier: enterprise/g)).toHaveLength(2)
    expect(result.body).toContain("<code>HorizontalPodAutoscaler acme/api</code> (changed)")
    expect(result.verdict.blocked).toBe(false)
    expect(result.body.length).toBeLessThan(6_500)
    // Every diff is collapsed: the words, the notices and the table are what shows first.
    expect(result.body).toMatch(/<details><summary><code>metadata\.labels<\/code>: the same change in 26 objects/)
    expect(uncollapsed(result.body)).not.toContain("```")
    expect(uncollapsed(result.body)).toContain("| `acme` | 0 | 26 | 0 |")
  })

  it("changes a label only: one grouped change, not 26 diffs", async () => {
    const result = await preview((dir) => write(dir, { ...acme, labels: { "cost-center": "cc-2000" } }))
    expect(result.firstLine).toBe("**Changes acme: label cost-center cc-1042 → cc-2000.**")
    expect(result.body).toMatch(/<code>metadata\.labels<\/code>: the same change in 26 objects/)
    expect(result.body.match(/\+ {4}cost-center: cc-2000/g)).toHaveLength(1)
    expect(result.body.length).toBeLessThan(3_000)
    expect(result.verdict).toMatchObject({ blocked: false, removals: [], renames: [] })
    expect(result.body).not.toContain("[!CAUTION]")
    expect(uncollapsed(result.body)).not.toContain("```")
  })

  it("decommissions a tenant: what leaves and what is retained, not blocked", async () => {
    const result = await preview((dir) => write(dir, { name: "hobby", tier: "free", state: "decommissioned" }))
    expect(result.firstLine).toBe(
      "**Decommissions tenant hobby (workload removed; namespace, credentials and data retained); updates 1 fleet object.**",
    )
    expect(result.verdict.blocked).toBe(false)
    expect(result.body).toContain("**Decommissions `hobby`.**")
    expect(result.body).toContain("are **retained**")
    expect(result.body).not.toContain("[!CAUTION]")
    expect(result.body).toMatch(/<details><summary>\d+ objects of <code>hobby<\/code> removed<\/summary>/)
    expect(result.body.length).toBeLessThan(4_000)
  })

  it("deletes a tenant file by accident: blocked, and the comment says how to proceed", async () => {
    const result = await preview((dir) => rmSync(join(dir, "hobby.ts")))
    expect(result.firstLine).toBe("**Removes tenant hobby without decommissioning (blocked); updates 1 fleet object.**")
    expect(result.verdict).toMatchObject({ blocked: true, removals: ["hobby"], renames: [] })
    expect(result.body).toContain("[!CAUTION]")
    expect(result.body).toContain('set `state: "decommissioned"`')
    expect(result.body).toContain("`allow-removal: hobby`")
    expect(result.body.length).toBeLessThan(4_000)
  })

  it("renames a tenant: recognized as a rename, blocked, with the rename's way forward", async () => {
    const result = await preview((dir) => {
      rmSync(join(dir, "hobby.ts"))
      write(dir, { name: "hobby-co", tier: "free" })
    })
    expect(result.firstLine).toBe(
      "**Renames tenant hobby → hobby-co (blocked: decommission hobby instead); updates 1 fleet object.**",
    )
    expect(result.verdict).toMatchObject({ blocked: true, removals: ["hobby"], renames: [["hobby", "hobby-co"]] })
    expect(result.body).toContain("to rename `hobby` → `hobby-co`")
    expect(result.body.length).toBeLessThan(12_000)
  })

  it("leaves a removal an earlier merge held back to a note: a later unrelated PR is not blocked by it", async () => {
    // main lost hobby.ts without decommissioning; publish kept hobby deployed. This PR only relabels acme.
    const main = await fleet((dir) => rmSync(join(dir, "hobby.ts")))
    const result = await preview(
      (dir) => {
        rmSync(join(dir, "hobby.ts"))
        write(dir, { ...acme, labels: { "cost-center": "cc-2000" } })
      },
      { baseTenants: main.tenants, platform },
    )
    expect(result.firstLine).toBe("**Changes acme: label cost-center cc-1042 → cc-2000.**")
    expect(result.verdict).toMatchObject({ blocked: false, removals: [], renames: [], heldBack: ["hobby"] })
    expect(result.body).not.toContain("[!CAUTION]")
    expect(result.body).toContain("**Already held back on the deploy branch: `hobby`.**")
    expect(result.body).toContain('restore `tenants/hobby.ts` with `state: "decommissioned"`')
    expect(result.body).toContain("`allow-removal: hobby`")
    // Kept as deployed, as publish keeps it: none of its objects (nor the fleet's project) shows as removed.
    expect(result.body).not.toContain("| `hobby` |")
    expect(result.body).not.toContain("| `_platform` |")
  })

  it("names what waits on a held-back tenant's hostname (a rename that kept its domain) in the note, unblocked", async () => {
    // main renamed acme → acme-co keeping portal.acme.example; publish kept acme and held acme-co back.
    const renamed = (dir: string) => {
      rmSync(join(dir, "acme.ts"))
      write(dir, { ...acme, name: "acme-co" })
    }
    const withAcmeCo: Platform = {
      ...platform,
      domains: { ...platform.domains, verified: { ...platform.domains.verified, "acme-co": ["acme.example"] } },
    }
    const main = await fleet(renamed, withAcmeCo)
    const result = await preview(
      (dir) => {
        renamed(dir)
        write(dir, { ...globex, labels: { ...(globex.labels as object), compliance: "iso27001" } })
      },
      { baseTenants: main.tenants, platform: withAcmeCo },
    )
    expect(result.verdict).toMatchObject({ blocked: false, removals: [], heldBack: ["acme", "acme-co"] })
    expect(result.firstLine).toBe("**Changes globex: label compliance soc2 → iso27001.**")
    expect(result.body).toContain("`acme-co` waits, as it claims a hostname still served there")
    expect(result.body).toContain("`allow-removal: acme`")
    expect(result.body).not.toContain("| `acme-co` |")
  })

  it("still blocks a PR that drops a tenant of its base while an older removal is held back", async () => {
    const main = await fleet((dir) => rmSync(join(dir, "hobby.ts")))
    const result = await preview(
      (dir) => {
        rmSync(join(dir, "hobby.ts"))
        rmSync(join(dir, "acme.ts"))
      },
      { baseTenants: main.tenants, platform },
    )
    expect(result.verdict).toMatchObject({ blocked: true, removals: ["acme"], heldBack: ["hobby"] })
    expect(result.body).toContain("**Blocked: this PR removes `acme` without decommissioning.**")
  })

  it("keeps every part under GitHub's limit and ends with the diff hash", async () => {
    const result = await preview((dir) => rmSync(join(dir, "hobby.ts")))
    for (const part of result.comments) expect(part.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(result.comments.at(-1)).toContain(`Preview-Diff-Hash: <code>${result.diffHash}</code>`)
  })
})
