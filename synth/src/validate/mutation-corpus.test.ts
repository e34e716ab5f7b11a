import { describe, expect, it } from "@effect/vitest"
import { checkTree, formatViolation, treeRules } from "@ppi/policy"
import { EditableTree } from "../testing/editable-tree.ts"
import { exampleTree } from "../testing/example-tree.ts"
import { examplePlatform, platformFor, platformInput } from "../testing/fixtures.ts"
import { mutations, SIGNING_KEY_ID } from "../testing/mutations.ts"

/** Signature checks need listed keys; the armored key is never read by synth or the engine. */
const signed = platformFor({
  deploy: {
    ...platformInput.deploy,
    signingKeys: [
      {
        keyID: SIGNING_KEY_ID,
        publicKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n",
      },
    ],
  },
})

// The real synthesized output of the example tenants, in both deployment modes, and signed.
const platforms = { selfhosted: examplePlatform, cloud: platformFor({ mode: "cloud" }), signed }
const trees = {
  selfhosted: await exampleTree(platforms.selfhosted),
  cloud: await exampleTree(platforms.cloud),
  signed: await exampleTree(platforms.signed),
}

describe("the mutation corpus", () => {
  it("has at least 60 distinct attacks", () => {
    expect(mutations.length).toBeGreaterThanOrEqual(60)
    expect(new Set(mutations.map((mutation) => mutation.attack)).size).toBe(mutations.length)
  })

  it("has an attack for every rule of the engine", () => {
    const attacked = new Set(mutations.map((mutation) => mutation.rule))
    expect(
      treeRules()
        .filter((rule) => !attacked.has(rule.id))
        .map((rule) => rule.id),
    ).toEqual([])
  })

  it.each(Object.keys(trees) as Array<keyof typeof trees>)("passes the unmutated %s output", (mode) => {
    const report = checkTree(trees[mode], { platform: platforms[mode] })
    expect(report.violations.map(formatViolation)).toEqual([])
    const manifests = [...trees[mode]].filter(([file]) => file.endsWith(".yaml"))
    expect(report.objects).toBe(manifests.reduce((sum, [, text]) => sum + text.split(/^---$/m).length, 0))
  })

  it("passes the unmutated output without a platform file too", () => {
    expect(checkTree(trees.selfhosted).violations.map(formatViolation)).toEqual([])
  })

  it.each(mutations.map((mutation) => [mutation.rule, mutation.attack, mutation] as const))(
    "[%s] catches: %s",
    (rule, _attack, mutation) => {
      const mode = mutation.mode ?? "selfhosted"
      const tree = new EditableTree(trees[mode])
      mutation.apply(tree)
      const files = tree.files()
      expect(files).not.toEqual(trees[mode])
      const violations = checkTree(files, { platform: platforms[mode] }).violations
      expect(violations.filter((violation) => violation.rule === rule).map(formatViolation)).not.toEqual([])
    },
  )
})
