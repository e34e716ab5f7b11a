import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TenantFiles } from "../load/tenant-files.ts"
import { readTree } from "../output/output-tree.ts"
import { buildTree } from "../synth.ts"
import { examplePlatform, exampleTenantsDir } from "../testing/fixtures.ts"
import { synthCli as synth } from "../testing/synth-cli.ts"

/**
 * A render the policy engine refuses though every input decodes: a tenant pastes a live Stripe
 * key into a (non-secret) env variable, which synth writes into the tenant's ConfigMap.
 */
const LEAK = 'env: { EMAIL_FROM: "sk_live_4eC39HqLyjWDarjtT1zdp7dc" },'
const leakInto = async (tenants: string) => {
  const file = join(tenants, "hobby.ts")
  const source = await readFile(file, "utf8")
  const leaked = source.replace('tier: "free",', `tier: "free",\n  ${LEAK}`)
  expect(leaked).not.toBe(source)
  await writeFile(file, leaked)
}

let work = ""
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "ppi-policy-stop-"))
  await cp(exampleTenantsDir, join(work, "tenants"), { recursive: true })
})
afterEach(() => rm(work, { recursive: true, force: true }))

describe("a render that violates a rule", () => {
  it.effect("fails the build with PolicyViolations naming the rule and the tenant file, and no tree", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => leakInto(join(work, "tenants")))
      const error = yield* buildTree(join(work, "tenants"), examplePlatform).pipe(
        Effect.provide(TenantFiles.layer),
        Effect.flip,
      )
      expect(error._tag).toBe("PolicyViolations")
      expect(error.message).toContain("tenants/hobby.ts: env: ConfigMap/api-env: [secrets/no-plaintext]")
    }),
  )

  it("stops the CLI with exit 1 and writes nothing, on a fresh output and over a previous one", async () => {
    const fresh = await (async () => {
      await leakInto(join(work, "tenants"))
      return synth(work)
    })()
    expect(fresh.code).toBe(1)
    expect(fresh.stderr).toContain("[secrets/no-plaintext] data.EMAIL_FROM: looks like a Stripe key")
    expect(fresh.stderr).toContain("out left unchanged")
    await expect(stat(join(work, "out"))).rejects.toThrow()

    // Over a good previous output: every byte of it stays.
    await cp(exampleTenantsDir, join(work, "tenants"), { recursive: true, force: true })
    expect((await synth(work)).code).toBe(0)
    const before = await readTree(join(work, "out"))
    await leakInto(join(work, "tenants"))
    expect((await synth(work)).code).toBe(1)
    expect(await readTree(join(work, "out"))).toEqual(before)
  })
})
