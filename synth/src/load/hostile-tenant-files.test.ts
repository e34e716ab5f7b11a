import { spawnSync } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { formatIssue } from "@ppi/config"
import { Effect } from "effect"
import { exampleTenantsDir, platformFile, synthMain } from "../testing/fixtures.ts"
import { TenantFiles } from "./tenant-files.ts"

/**
 * What a hostile contributor would put in a tenant file. Each case would, if any of it ran, write
 * the sentinel file, leak the environment, exit, or hang; each must be refused from its text alone.
 */
const hostileDir = new URL("./__hostile__/", import.meta.url)
const cases = readdirSync(hostileDir)
  .filter((entry) => entry.endsWith(".ts.hostile"))
  .sort()
  .map((entry) => {
    const text = readFileSync(new URL(entry, hostileDir), "utf8")
    const refused = /^\/\/ refused: (.+)$/m.exec(text)?.[1]
    if (refused === undefined) throw new Error(`${entry} has no "// refused: <construct>" line`)
    return { name: entry.replace(/\.ts\.hostile$/, ""), text, refused }
  })

const withFolder = <A>(use: (dir: string) => A): A => {
  const dir = mkdtempSync(join(tmpdir(), "ppi-hostile-"))
  try {
    return use(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A temporary folder for the length of one effect, removed on failure too. */
const inFolder = <A, E, R>(use: (dir: string) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "ppi-hostile-"))),
    use,
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true })),
  )

const problemsIn = (dir: string) =>
  Effect.gen(function* () {
    const result = yield* Effect.result((yield* TenantFiles).load(join(dir, "tenants")))
    return result._tag === "Success" ? [] : result.failure.issues.map(formatIssue)
  }).pipe(Effect.provide(TenantFiles.layer))

describe("hostile tenant files", () => {
  it("covers every construct the trust model names, and more of the same kind", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  it.effect.each(cases)("refuses $name from its text, running none of it", ({ text, refused }) =>
    inFolder((dir) =>
      Effect.gen(function* () {
        const sentinel = join(dir, "sentinel")
        mkdirSync(join(dir, "tenants"))
        writeFileSync(join(dir, "tenants/acme.ts"), text.replaceAll("SENTINEL", sentinel))
        const problems = yield* problemsIn(dir)
        expect(problems).toContainEqual(expect.stringMatching(/acme\.ts:\d+:\d+: [^:]+: /))
        expect(problems.join("\n")).toContain(refused)
        expect(existsSync(sentinel)).toBe(false)
      }),
    ),
  )

  it.effect("refuses whatever in the tenants folder is not a regular <name>.ts file", () =>
    inFolder((dir) =>
      Effect.gen(function* () {
        const tenants = join(dir, "tenants")
        mkdirSync(join(tenants, "nested"), { recursive: true })
        const valid = 'export default { name: "acme", tier: "pro" }'
        for (const file of ["acme.js", "acme.mjs", "acme.cts", "acme.mts", "acme.d.ts", "Acme.ts", "acme.json"])
          writeFileSync(join(tenants, file), valid)
        writeFileSync(join(dir, "real.ts"), 'export default { name: "alias", tier: "pro" }')
        symlinkSync(join(dir, "real.ts"), join(tenants, "alias.ts"))
        symlinkSync("/proc/self/environ", join(tenants, "environ.ts"))
        spawnSync("mkfifo", [join(tenants, "fifo.ts")])
        const problems = yield* problemsIn(dir)
        const byFile = (file: string) => problems.filter((problem) => problem.includes(`tenants/${file}: `))
        for (const file of ["acme.js", "acme.mjs", "acme.cts", "acme.mts", "acme.d.ts", "Acme.ts", "acme.json"])
          expect(byFile(file)).toEqual([expect.stringContaining("is not a tenant file")])
        expect(byFile("nested")).toEqual([expect.stringContaining("is a folder")])
        expect(byFile("alias.ts")).toEqual([expect.stringContaining("is a symbolic link")])
        expect(byFile("environ.ts")).toEqual([expect.stringContaining("is a symbolic link")])
        expect(byFile("fifo.ts")).toEqual([expect.stringContaining("is not a regular file")])
        expect(problems).toHaveLength(11)
      }),
    ),
  )

  it.effect("refuses a file whose name is not its tenant's", () =>
    inFolder((dir) =>
      Effect.gen(function* () {
        mkdirSync(join(dir, "tenants"))
        writeFileSync(join(dir, "tenants/acme.ts"), 'export default { name: "globex", tier: "pro" }')
        expect(yield* problemsIn(dir)).toEqual([
          expect.stringMatching(
            /acme\.ts: name: is "globex" but the file is acme\.ts: the file name is the tenant \(rename the file or the tenant\)$/,
          ),
        ])
      }),
    ),
  )

  it("leaves the output, the machine and the environment untouched when synth meets them all at once", () =>
    withFolder((dir) => {
      const tenants = join(dir, "tenants")
      const out = join(dir, "out")
      const sentinel = join(dir, "sentinel")
      mkdirSync(tenants)
      for (const file of readdirSync(exampleTenantsDir))
        writeFileSync(join(tenants, file), readFileSync(join(exampleTenantsDir, file)))
      const synth = () =>
        spawnSync(
          process.execPath,
          [
            "--disable-warning=ExperimentalWarning",
            synthMain,
            "--tenants",
            tenants,
            "--out",
            out,
            "--platform",
            platformFile,
          ],
          { encoding: "utf8", timeout: 60_000, env: { ...process.env, PPI_CANARY: "canary-7d1e" } },
        )
      expect(synth().status).toBe(0)
      const before = readOut(out)

      for (const { name, text } of cases)
        writeFileSync(join(tenants, `${name}.ts`), text.replaceAll("SENTINEL", sentinel))
      writeFileSync(join(tenants, "extra.mjs"), "export default {}")
      symlinkSync("/proc/self/environ", join(tenants, "environ.ts"))
      const run = synth()

      expect(run.error).toBeUndefined() // no hang: the run ends well within its limit
      expect(run.status).toBe(1)
      for (const { name } of cases) expect(run.stderr).toContain(`${name}.ts`)
      expect(run.stderr).toContain("extra.mjs: (root): is not a tenant file")
      expect(run.stderr).toContain("environ.ts: (root): is a symbolic link")
      expect(run.stderr).not.toContain("canary-7d1e")
      expect(existsSync(sentinel)).toBe(false)
      expect(readOut(out)).toEqual(before)
    }))
})

/** Every file under `out` (through its link) with its content. */
const readOut = (out: string): Readonly<Record<string, string>> =>
  Object.fromEntries(
    readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name)
        return [path.slice(out.length), readFileSync(path, "utf8")]
      }),
  )
