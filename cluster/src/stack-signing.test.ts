import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readPlatformInput } from "./platform-file.ts"
import { baseConfig, runStack } from "./testing/mock-stack.ts"

/** The repository's platform file with the bot's key listed, written as data the program reads. */
const KEY_ID = "0123456789ABCDEF"
const PUBLIC_KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n"
const dir = mkdtempSync(join(tmpdir(), "ppi-signed-platform-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const input = (await Effect.runPromise(readPlatformInput())) as { deploy: Record<string, unknown> }
const platformFile = join(dir, "platform.ts")
writeFileSync(
  platformFile,
  `export default ${JSON.stringify({ ...input, deploy: { ...input.deploy, signingKeys: [{ keyID: KEY_ID, publicKey: PUBLIC_KEY }] } }, null, 2)}\n`,
)

const stack = await runStack({ ...baseConfig, mode: "selfhosted", platformFile }, ["dnsCredentials"])

describe("a platform that requires signed deploy commits", () => {
  it("gives Argo CD's repo-server the bot's public key, by its ID", () => {
    const keys = stack
      .ofType("kubernetes:core/v1:ConfigMapPatch")
      .find((r) => r.inputs.metadata.name === "argocd-gpg-keys-cm")
    expect(keys?.inputs.metadata.name).toBe("argocd-gpg-keys-cm")
    expect(keys?.inputs.data).toEqual({ [KEY_ID]: PUBLIC_KEY })
  })

  it("requires the key of the platform project and, at admission, of every AppProject", () => {
    const project = stack.resources.find((r) => r.inputs.kind === "AppProject" && r.inputs.metadata.name === "platform")
    expect(project?.inputs.spec.signatureKeys).toEqual([{ keyID: KEY_ID }])
    const projects = stack
      .ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy")
      .find((r) => r.inputs.metadata.name === "ppi-argocd-projects")
    expect(projects?.inputs.spec.validations.map((v: { message: string }) => v.message)).toContain(
      `an Argo CD AppProject requires exactly the deploy keys ${KEY_ID} of a commit`,
    )
  })
})
