import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { describe, expect, it, layer } from "@effect/vitest"
import { PLATFORM_FILE } from "@ppi/config"
import { parseTenantSource } from "@ppi/synth"
import { Effect } from "effect"
import { renderTenantFile } from "./tenant-file.ts"
import { FakeGitHub } from "./testing/fake-github.ts"
import { makeRemote, tenantFile } from "./testing/git-fixture.ts"

const main = new URL("./main.ts", import.meta.url).pathname
const root = new URL("../../../", import.meta.url).pathname

/** The CLI as a user runs it: a separate Node process, its output and exit code. */
const bot = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", main, ...args],
      { env: { ...process.env, GITHUB_TOKEN: "", GITHUB_STEP_SUMMARY: "", ...env } },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr }),
    )
  })

/** The same, as an Effect for tests that run as one. */
const botRun = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => Effect.promise(() => bot(args, env))

describe("the bot CLI", () => {
  it("prints usage with every command for --help", async () => {
    const result = await bot(["--help"])
    expect(result.code).toBe(0)
    for (const command of ["diff", "comment", "publish", "tenant new", "tenant decommission"])
      expect(result.stdout).toContain(`  ${command} `)
  })

  it.each([
    ["diff", "--before DIR", "deploy-out"],
    ["publish", "--allow-removal NAMES", "(default: main)"],
    ["tenant new", "--tier TIER", "pnpm bot tenant new wayne"],
    ["tenant decommission", "--pr", "pnpm bot tenant decommission hobby"],
  ])("prints flags, defaults and examples for %s --help", async (command, flag, example) => {
    const result = await bot([...command.split(" "), "--help"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`usage: pnpm bot ${command}`)
    expect(result.stdout).toContain(flag)
    expect(result.stdout).toContain(example)
  })

  it("lists the tenant commands for tenant --help, and asks for one without it", async () => {
    const help = await bot(["tenant", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^ {2}tenant new +Write tenants\/NAME\.ts/m)
    expect(help.stdout).toMatch(/^ {2}tenant decommission +Set state/m)
    const bare = await bot(["tenant"])
    expect(bare.code).toBe(2)
    expect(bare.stderr.trim()).toBe("ppi-bot: tenant needs a command: new or decommission (pnpm bot tenant --help)")
  })

  it("documents every flag of every command's --help in that command's section of docs/cli.md", async () => {
    const docs = readFileSync(join(root, "docs/cli.md"), "utf8")
    const listed = (await bot(["--help"])).stdout
    const commands = listed
      .slice(listed.indexOf("commands:\n") + "commands:\n".length, listed.indexOf("\n\n", listed.indexOf("commands:")))
      .split("\n")
      .map((line) => line.slice(2, 22).trim())
    expect(commands).toEqual(["diff", "comment", "publish", "rollout", "tenant new", "tenant decommission"])
    const helps = await Promise.all(commands.map((command) => bot([...command.split(" "), "--help"])))
    const undocumented = commands.flatMap((command, index) => {
      const start = docs.indexOf(`## \`pnpm bot ${command}\``)
      if (start === -1) return [`${command}: no section`]
      const end = docs.indexOf("\n## ", start + 1)
      const section = docs.slice(start, end === -1 ? undefined : end)
      const help = helps[index]?.stdout ?? ""
      const flags = (help.slice(help.indexOf("flags:"), help.indexOf("examples:")).match(/^ {2}--[a-z-]+/gm) ?? [])
        .map((line) => line.trim())
        .filter((flag) => flag !== "--help")
      if (flags.length === 0) return [`${command}: no flags in --help`]
      return flags.filter((flag) => !new RegExp(`\`${flag}[\\s\`]`).test(section)).map((flag) => `${command} ${flag}`)
    })
    expect(undocumented).toEqual([])
  }, 120_000)

  it("answers an unknown flag with one line and exit code 2", async () => {
    const result = await bot(["diff", "--bfore", "x"])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    expect(result.stderr).toContain("--bfore")
    expect(result.stderr).not.toContain("    at ")
  })

  it("refuses a folder that does not exist instead of treating it as empty", async () => {
    const out = mkdtempSync(join(tmpdir(), "ppi-cli-"))
    const result = await bot(["diff", "--before", join(out, "deploy-ot"), "--after", out, "--out", join(out, "r")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("deploy-ot: no such folder")
  })

  it("refuses a platform file that does not exist as a usage error, in one line", async () => {
    const out = mkdtempSync(join(tmpdir(), "ppi-cli-"))
    const result = await bot([
      "diff",
      "--before",
      out,
      "--after",
      out,
      "--out",
      join(out, "r"),
      "--platform",
      join(out, "platfrom.ts"),
    ])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe(`ppi-bot: --platform ${join(out, "platfrom.ts")}: no such file`)
  })

  it.effect("writes a valid tenant file with tenant new, and refuses a second one", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ppi-cli-"))
      const result = yield* botRun([
        "tenant",
        "new",
        "wayne",
        "--tier",
        "pro",
        "--owner",
        "ops@wayne.example",
        "--tenants-dir",
        dir,
      ])
      expect(result).toMatchObject({ code: 0 })
      const tenant = yield* parseTenantSource("wayne.ts", readFileSync(join(dir, "wayne.ts"), "utf8"))
      expect(tenant).toMatchObject({ name: "wayne", tier: "pro", owner: { email: "ops@wayne.example" }, replicas: 2 })
      expect((yield* botRun(["tenant", "new", "wayne", "--tier", "pro", "--tenants-dir", dir])).code).toBe(1)
    }),
  )

  it("checks custom hostnames against the platform's verified domains before writing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ppi-cli-"))
    const platform = join(root, PLATFORM_FILE)
    const refused = await bot([
      "tenant",
      "new",
      "wayne",
      "--tier",
      "pro",
      "--hostname",
      "app.wayne.example",
      "--tenants-dir",
      dir,
      "--platform",
      platform,
    ])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("app.wayne.example is not under a domain verified for wayne")
    expect(() => readFileSync(join(dir, "wayne.ts"))).toThrow()
    const accepted = await bot([
      "tenant",
      "new",
      "acme2",
      "--tier",
      "pro",
      "--tenants-dir",
      dir,
      "--platform",
      platform,
    ])
    expect(accepted.code, accepted.stderr).toBe(0)
  })

  it("renders a blocked preview: the comment, the verdict, and the file the workflow fails on", async () => {
    const work = mkdtempSync(join(tmpdir(), "ppi-cli-"))
    const service = (tenant: string) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: ${tenant}\n`
    for (const [path, text] of [
      ["before/acme/app/service-api.yaml", service("acme")],
      ["before/hobby/app/service-api.yaml", service("hobby")],
      ["after/acme/app/service-api.yaml", service("acme")],
    ] as const) {
      mkdirSync(dirname(join(work, path)), { recursive: true })
      writeFileSync(join(work, path), text)
    }
    const out = join(work, "rendered")
    const result = await bot(["diff", "--before", join(work, "before"), "--after", join(work, "after"), "--out", out])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain("BLOCKED")
    expect(JSON.parse(readFileSync(join(out, "verdict.json"), "utf8"))).toMatchObject({
      blocked: true,
      removals: ["hobby"],
    })
    expect(readFileSync(join(out, "blocked"), "utf8")).toContain("hobby")
    const comment = readFileSync(join(out, "comment-1.md"), "utf8")
    expect(
      comment.startsWith("<!-- ppi-rendered-diff -->\n**Removes tenant hobby without decommissioning (blocked).**"),
    ).toBe(true)
    // Nothing removed: no `blocked` file, so the preview check passes.
    const clean = join(work, "clean")
    expect(
      (await bot(["diff", "--before", join(work, "after"), "--after", join(work, "after"), "--out", clean])).code,
    ).toBe(0)
    expect(() => readFileSync(join(clean, "blocked"))).toThrow()
  })

  it("refuses an invalid tenant before writing anything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ppi-cli-"))
    const result = await bot(["tenant", "new", "wayne", "--tier", "gold", "--tenants-dir", dir])
    expect(result.code).toBe(1)
    expect(() => readFileSync(join(dir, "wayne.ts"))).toThrow()
  })

  it.effect("decommissions a local tenant file, keeping everything else", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ppi-cli-"))
      writeFileSync(join(dir, "hobby.ts"), renderTenantFile({ name: "hobby", tier: "free", labels: { team: "a" } }))
      expect((yield* botRun(["tenant", "decommission", "hobby", "--tenants-dir", dir])).code).toBe(0)
      const tenant = yield* parseTenantSource("hobby.ts", readFileSync(join(dir, "hobby.ts"), "utf8"))
      expect(tenant).toMatchObject({ name: "hobby", state: "decommissioned", labels: { team: "a" } })
    }),
  )

  it("publishes everything else and warns about a held-back removal, exit 0", async () => {
    const fixture = makeRemote()
    try {
      expect((await bot(["publish", "--remote", fixture.remote])).code).toBe(0)
      fixture.commit("Oops", { "tenants/hobby.ts": null, "tenants/zeta.ts": tenantFile("zeta", "free") })
      const result = await bot(["publish", "--remote", fixture.remote])
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain("::warning title=Removal held back::held back the removal of hobby")
      expect(result.stdout).toContain("allow-removal: hobby")
      expect(fixture.git("log", "-1", "--format=%B", "deploy")).toMatch(
        /^Synth-Version: @ppi\/synth@[\d.]+\+[0-9a-f]{12}$/m,
      )
      const released = await bot(["publish", "--remote", fixture.remote, "--allow-removal", "hobby"])
      expect(released.stdout).not.toContain("::warning")
      expect(fixture.git("ls-tree", "--name-only", "deploy")).not.toContain("hobby")
    } finally {
      fixture.cleanup()
    }
  }, 60_000)

  // One stand-in for the three tests: the CLI runs in its own process, pointed at it.
  layer(FakeGitHub.layer({ files: { "tenants/hobby.ts": renderTenantFile({ name: "hobby", tier: "free" }) } }))(
    "with --pr, against the GitHub stand-in",
    (it) => {
      const withToken = (args: ReadonlyArray<string>) =>
        FakeGitHub.use((github) =>
          botRun(args, { GITHUB_TOKEN: "t", GITHUB_API_URL: github.baseUrl, GITHUB_ACTOR: "octocat" }),
        )

      it.effect("opens the pull request that adds a tenant", () =>
        Effect.gen(function* () {
          const github = yield* FakeGitHub
          const result = yield* withToken(["tenant", "new", "wayne", "--tier", "free", "--pr", "--repo", "org/infra"])
          expect(result.code, result.stderr).toBe(0)
          expect(result.stdout).toContain("opened")
          expect(github.pulls.map((pull) => pull.title)).toContain("Provision tenant wayne (free)")
          const file = github.branches.get("tenant/provision-wayne")?.get("tenants/wayne.ts") ?? ""
          expect(yield* parseTenantSource("wayne.ts", file)).toMatchObject({ name: "wayne" })
          expect(result.stderr).toContain('"actor":"octocat"')
        }),
      )

      it.effect("opens the pull request that decommissions a tenant", () =>
        Effect.gen(function* () {
          const github = yield* FakeGitHub
          const result = yield* withToken(["tenant", "decommission", "hobby", "--pr", "--repo", "org/infra"])
          expect(result.code, result.stderr).toBe(0)
          expect(github.pulls.map((pull) => pull.title)).toContain("Decommission tenant hobby")
          const file = github.branches.get("tenant/decommission-hobby")?.get("tenants/hobby.ts") ?? ""
          expect(yield* parseTenantSource("hobby.ts", file)).toMatchObject({ state: "decommissioned" })
        }),
      )

      it.effect("needs a token", () =>
        Effect.gen(function* () {
          const result = yield* botRun(["tenant", "decommission", "hobby", "--pr", "--repo", "org/infra"])
          expect(result.code).toBe(2)
          expect(result.stderr).toContain("GITHUB_TOKEN")
        }),
      )
    },
  )
})
