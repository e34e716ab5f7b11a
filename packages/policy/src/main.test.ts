import { execFile } from "node:child_process"
import { access, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"

const main = fileURLToPath(new URL("./main.ts", import.meta.url))
const repoPlatform = fileURLToPath(new URL("../../../synth/platform.ts", import.meta.url))
const run = promisify(execFile)

/** The real CLI, as `pnpm policy` runs it. */
const policy = (...args: ReadonlyArray<string>) =>
  run(process.execPath, ["--disable-warning=ExperimentalWarning", main, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  )

let work = ""
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "ppi-policy-"))
})
afterEach(async () => {
  await rm(work, { recursive: true, force: true })
})

const write = async (files: Record<string, string>) => {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true })
    await writeFile(join(work, path), content)
  }
}

const externalName = `apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: acme
spec:
  type: ExternalName
  externalName: postgres.platform-data.svc.cluster.local
`
const crd = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: acme\n"

describe("pnpm policy DIR", () => {
  it("prints its usage with --help and exits 0", async () => {
    const result = await policy("--help")
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^usage: policy \[--platform FILE\]/)
  })

  it.each([
    ["no folder", []],
    ["two folders", ["a", "b"]],
    ["an unknown option", ["--strict", "x"]],
    ["a folder that does not exist", ["/nonexistent/ppi"]],
    ["a platform file that does not load", ["--platform", "/nonexistent/platform.ts", "."]],
  ])("exits 2 on a usage error: %s", async (_what, args) => {
    const result = await policy(...args)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/^policy: /)
  })

  it("exits 0 on an empty folder", async () => {
    const result = await policy(work)
    expect(result).toMatchObject({ code: 0, stdout: "" })
    expect(result.stderr).toContain("policy: 0 objects in 0 files: clean")
  })

  it("prints one sorted line per violation, path: Kind/name: [rule] message, and exits 1", async () => {
    await write({
      "README.md": "# the deploy branch",
      ".git/HEAD": "ref: refs/heads/deploy",
      ".git/objects/bad.yaml": "not: [valid",
      "acme/app/manifest.yaml": `${crd}---\n${externalName}`,
    })
    const result = await policy(work)
    expect(result.code).toBe(1)
    const lines = result.stdout.trim().split("\n")
    expect(lines).toEqual([...lines].sort())
    expect(lines).toContain(
      "acme/app/manifest.yaml: Service/db: [service/no-external-name] leads to postgres.platform-data.svc.cluster.local",
    )
    expect(lines).toContain(
      "acme/app/manifest.yaml: Widget/w: [tree/unknown-kind] example.com/v1 Widget is not a kind synth emits",
    )
    expect(lines).toContain("acme/: tenant/acme: [namespace/present] no Namespace acme")
    expect(lines.filter((line) => line.includes(".git") || line.includes("README"))).toEqual([])
    expect(result.stderr).toContain("no platform file")
  })

  it("accepts a kind only where it is allowlisted", async () => {
    await write({ "acme/app/widget.yaml": crd })
    const unknown = (stdout: string) => stdout.split("\n").filter((line) => line.includes("[tree/unknown-kind]"))
    expect(unknown((await policy(work)).stdout)).toHaveLength(1)
    expect(unknown((await policy("--allow-kind", "app:Widget", work)).stdout)).toEqual([])
    expect(unknown((await policy("--allow-kind", "platform:Widget", work)).stdout)).toHaveLength(1)
  })

  it("reports a symbolic link instead of following it", async () => {
    await write({ "acme/app/x.yaml": "" })
    await symlink("/etc/hostname", join(work, "acme/app/host.yaml"))
    const result = await policy(work)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain("acme/app/host.yaml: -: [tree/layout] a symbolic link")
  })

  it("checks against the repository's platform file, read as data", async () => {
    const result = await policy("--platform", repoPlatform, work)
    expect(result).toMatchObject({ code: 0, stdout: "" })
    expect(result.stderr).not.toContain("no platform file")
  })

  it("refuses a platform file that holds code, and never runs it", async () => {
    const sentinel = join(work, "SENTINEL")
    const platform = join(work, "platform.ts")
    await writeFile(
      platform,
      [
        'import { writeFileSync } from "node:fs"',
        `writeFileSync(${JSON.stringify(sentinel)}, "ran")`,
        "process.exit(0)",
        'export default { baseDomain: "apps.example.com" }',
      ].join("\n"),
    )
    await mkdir(join(work, "out"))
    const result = await policy("--platform", platform, join(work, "out"))
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/platform\.ts:1:1: .*is not allowed in a platform file: platform files are data/)
    expect(
      await access(sentinel).then(
        () => "written",
        () => "absent",
      ),
    ).toBe("absent")
  })
})
