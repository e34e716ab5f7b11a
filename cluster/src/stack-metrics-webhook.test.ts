import { describe, expect, it } from "@effect/vitest"
import * as pulumi from "@pulumi/pulumi"
import { baseConfig, type MockedStack, resolved, runStack } from "./testing/mock-stack.ts"
import { Manifests } from "./versions.ts"

// A self-hosted stack on a cluster this program did not bootstrap with k3s.
const stack = await runStack({ ...baseConfig, mode: "selfhosted" }, ["dnsCredentials"])
const GENERATED = `0123456789abcdef${"0".repeat(48)}`
const k3s = JSON.stringify({
  sshUser: "ubuntu",
  version: "v1.31.4+k3s1",
  hosts: [{ name: "node-1", address: "10.0.0.1", role: "server" }],
})
// `ppi:metricsServer` set against the distribution's default, both ways.
const shipsOne = await runStack({ ...baseConfig, mode: "selfhosted", metricsServer: "false" }, ["dnsCredentials"])
const k3sWithout = await runStack(
  { ...baseConfig, mode: "selfhosted", sshPrivateKey: "ssh-key-value", k3s, metricsServer: "true" },
  ["dnsCredentials", "sshPrivateKey"],
)
const installs = (of: MockedStack) => ({
  component: of.ofType("ppi:observability:MetricsServer").length,
  manifest: of.ofType("kubernetes:yaml/v2:ConfigFile").filter((r) => r.inputs.file === Manifests.metricsServer).length,
})

describe("what a real cluster needs beyond the platform", () => {
  it("installs metrics-server from its pinned release manifest, without Helm", () => {
    expect(stack.ofType("kubernetes:yaml/v2:ConfigFile").map((r) => r.inputs.file)).toContain(Manifests.metricsServer)
    expect(Manifests.metricsServer).toMatch(/\/releases\/download\/v\d+\.\d+\.\d+\/components\.yaml$/)
  })

  it("leaves metrics-server out when `ppi:metricsServer` is false on a distribution that ships one", () => {
    expect(installs(stack)).toEqual({ component: 1, manifest: 1 })
    expect(installs(shipsOne)).toEqual({ component: 0, manifest: 0 })
  })

  it("installs metrics-server on a k3s stack when `ppi:metricsServer` is true: the setting wins over the default", () => {
    expect(k3sWithout.resources.some((r) => r.type === "ppi:nodes:K3sNodes")).toBe(true)
    expect(installs(k3sWithout)).toEqual({ component: 1, manifest: 1 })
  })

  it("generates the Argo CD GitHub webhook secret and patches only that key into argocd-secret", () => {
    const bytes = stack.ofType("random:index/randomBytes:RandomBytes")
    expect(bytes.map((r) => [r.name, r.inputs.length])).toEqual([["prod-argocd-webhook-secret", 32]])
    const patch = stack.ofType("kubernetes:core/v1:SecretPatch")
    expect(patch.map((r) => [r.inputs.metadata.namespace, r.inputs.metadata.name])).toEqual([
      ["argocd", "argocd-secret"],
    ])
    // It reaches the engine as a secret value (Pulumi's secret signature), so the state stores it encrypted.
    expect(patch[0]?.inputs.data).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: { "webhook.github.secret": Buffer.from(GENERATED).toString("base64") },
    })
  })

  it("puts the webhook secret in no other resource, and exports it as a Pulumi secret for the GitHub side", async () => {
    const elsewhere = stack.resources.filter((r) => r.type !== "kubernetes:core/v1:SecretPatch")
    const text = JSON.stringify(elsewhere.map((r) => r.inputs))
    expect(text).not.toContain(GENERATED)
    expect(text).not.toContain(Buffer.from(GENERATED).toString("base64"))
    const output = stack.program.argoCdWebhookSecret
    expect(await pulumi.isSecret(output)).toBe(true)
    expect(await resolved(output)).toBe(GENERATED)
  })
})
