import { execFile, execFileSync } from "node:child_process"
import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import { promisify } from "node:util"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { readTree } from "./output/output-tree.ts"
import { exampleTenantsDir, repoRoot, synthMain } from "./testing/fixtures.ts"
import { synthCli as synth } from "./testing/synth-cli.ts"

const run = promisify(execFile)
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

let work = ""
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "ppi-cli-"))
  await cp(exampleTenantsDir, join(work, "tenants"), { recursive: true })
})
afterEach(() => rm(work, { recursive: true, force: true }))

describe("synth CLI", () => {
  it("writes one folder per tenant and prints a one-line summary", async () => {
    const { code, stdout } = await synth(work)
    expect(code).toBe(0)
    expect(stdout).toMatch(/^synth: 4 tenants, 4 rendered, \d+ objects, \d+ files, \d+ changed → out\n$/)
    const tree = await readTree(join(work, "out"))
    expect(new Set([...tree.keys()].map((file) => file.split("/")[0]))).toEqual(
      new Set(["_platform", "acme", "globex", "hobby", "initech"]),
    )
  })

  it("prints on a fresh run exactly the line the README's quick start shows", async () => {
    const { stdout } = await synth(work)
    const readme = await readFile(join(repoRoot, "README.md"), "utf8")
    expect(readme).toContain(`\`\`\`text\n${stdout.trim()}\n\`\`\``)
  })

  it("is deterministic: a second run changes no byte and reports 0 changed", async () => {
    await synth(work)
    const first = await readTree(join(work, "out"))
    const { stdout } = await synth(work)
    expect(stdout).toContain(" 0 changed")
    expect(await readTree(join(work, "out"))).toEqual(first)
  })

  it("renders again only the tenants whose file changed, reusing the rest of out/", async () => {
    await synth(work)
    const acme = await readFile(join(work, "tenants", "acme.ts"), "utf8")
    await writeFile(join(work, "tenants", "acme.ts"), acme.replace(/displayName: "[^"]*"/, 'displayName: "Acme Two"'))
    const { stdout } = await synth(work)
    expect(stdout).toMatch(/^synth: 4 tenants, 1 rendered, /)
    expect(await readFile(join(work, "out", "acme", "app", "manifest.yaml"), "utf8")).toContain("Acme Two")
  })

  it("reuses the tenants of another output given as --previous", async () => {
    await synth(work, "first")
    const { stdout } = await synth(work, "second", "--previous", "first")
    expect(stdout).toMatch(/^synth: 4 tenants, 0 rendered, /)
    expect(await readTree(join(work, "second"))).toEqual(await readTree(join(work, "first")))
  })

  it("removes the folder of a tenant whose file is removed", async () => {
    await synth(work)
    await rm(join(work, "tenants", "hobby.ts"))
    const { code } = await synth(work)
    expect(code).toBe(0)
    expect([...(await readTree(join(work, "out"))).keys()].some((file) => file.startsWith("hobby/"))).toBe(false)
  })

  it("on bad input exits non-zero, prints every problem with file and field, and leaves out/ as it was", async () => {
    await synth(work)
    const before = await readTree(join(work, "out"))
    await writeFile(
      join(work, "tenants", "broken.ts"),
      'export default { name: "Broken", tier: "pro", replicas: 99 }\n',
    )
    await writeFile(join(work, "tenants", "gold.ts"), 'export default { name: "gold", tier: "gold" }\n')
    const { code, stderr, stdout } = await synth(work)
    expect(code).toBe(1)
    expect(stdout).toBe("")
    expect(stderr).toContain("tenants/broken.ts: name: must be a DNS label")
    expect(stderr).toContain("tenants/broken.ts: replicas: must be an integer between 2 and 6")
    expect(stderr).toContain('tenants/gold.ts: tier: unknown tier "gold"')
    expect(stderr).toContain("synth: failed with 3 problems; out left unchanged")
    expect(await readTree(join(work, "out"))).toEqual(before)
  })

  it("refuses unknown flags", async () => {
    const result = await run(process.execPath, [synthMain, "--tenant", "x"]).catch((error) => error)
    expect(result.code).toBe(2)
    expect(String(result.stderr)).toContain("usage: synth")
  })

  it("refuses a --workers that is not a number of threads", async () => {
    const result = await run(process.execPath, [synthMain, "--workers", "all"]).catch((error) => error)
    expect(result.code).toBe(2)
    expect(String(result.stderr)).toContain('--workers takes a number of threads (0–99), not "all"')
  })

  it("reads the tenants from the folder it is given", async () => {
    await writeFile(join(work, "tenants", "zeta.ts"), 'export default { name: "zeta", tier: "free" }\n')
    await synth(work)
    expect(await readFile(join(work, "out", "zeta", "platform", "manifest.yaml"), "utf8")).toContain("name: zeta")
  })

  it("refuses to replace a folder it did not write, and leaves it as it was", async () => {
    await writeFile(join(work, "notes.txt"), "mine")
    await cp(join(work, "tenants"), join(work, "docs"), { recursive: true })
    for (const out of ["docs", "."]) {
      const { code, stderr } = await synth(work, out)
      expect(code).toBe(1)
      expect(stderr).toMatch(/refusing to replace it|overlaps the sources/)
    }
    expect(await readFile(join(work, "notes.txt"), "utf8")).toBe("mine")
    expect([...(await readTree(join(work, "docs"))).keys()]).toHaveLength(4)
  })

  it("refuses an output inside or around the tenants folder", async () => {
    for (const out of ["tenants", "tenants/out", "."]) {
      const { code, stderr } = await synth(work, out)
      expect(code).toBe(1)
      expect(stderr).toContain("overlaps the sources in tenants: choose an --out outside them")
    }
    expect([...(await readTree(join(work, "tenants"))).keys()]).toHaveLength(4)
  })

  it("refuses an output inside the repository's sources, unless it is already an output of synth", async () => {
    const git = (...args: ReadonlyArray<string>) => execFileSync("git", args, { cwd: work })
    git("init", "--quiet")
    // An earlier output inside what only later became a package: replacing it again stays allowed.
    expect((await synth(work, "tools/app/out")).code).toBe(0)
    await writeFile(join(work, "tools/app/package.json"), "{}")
    await mkdir(join(work, "docs/guide"), { recursive: true })
    await writeFile(join(work, "docs/guide/setup.md"), "# setup")
    git("add", "tools/app/package.json", "docs")
    for (const [out, why] of [
      [".git/out", "lies inside .git"],
      ["tools/app/src/out", "lies inside tools/app, which holds a package"],
      ["tools/app/fresh", "lies inside tools/app, which holds a package"],
      ["docs/out", "lies inside docs, which holds files the repository tracks"],
      ["docs/guide/out", "lies inside docs, which holds files the repository tracks"],
    ] as const) {
      const { code, stderr } = await synth(work, out)
      expect(code, out).toBe(1)
      expect(stderr).toContain(`${why}: an output among the repository's sources is refused`)
      const written = [out, join(dirname(out), `.${basename(out)}.generations`)]
      for (const path of written) expect(await exists(join(work, path)), path).toBe(false)
    }
    // out/ at the root, an untracked folder, and the earlier output stay writable.
    for (const out of ["out", "build/out", "tools/app/out"]) expect((await synth(work, out)).code, out).toBe(0)
  })

  it("writes into an empty folder", async () => {
    await mkdir(join(work, "fresh"))
    expect((await synth(work, "fresh")).code).toBe(0)
    expect((await readTree(join(work, "fresh"))).size).toBeGreaterThan(0)
  })
})
