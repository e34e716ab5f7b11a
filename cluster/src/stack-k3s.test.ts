import { describe, expect, it } from "@effect/vitest"
import { baseConfig, runStack } from "./testing/mock-stack.ts"
import { Manifests } from "./versions.ts"

// A self-hosted stack that bootstraps its own k3s nodes: k3s ships metrics-server.
const stack = await runStack(
  {
    ...baseConfig,
    mode: "selfhosted",
    sshPrivateKey: "ssh-key-value",
    k3s: JSON.stringify({
      sshUser: "ubuntu",
      version: "v1.31.4+k3s1",
      hosts: [{ name: "node-1", address: "10.0.0.1", role: "server" }],
    }),
  },
  ["dnsCredentials", "sshPrivateKey"],
)

describe("cluster bootstrap on k3s", () => {
  it("leaves metrics-server to k3s", () => {
    expect(stack.ofType("kubernetes:yaml/v2:ConfigFile").map((r) => r.inputs.file)).not.toContain(
      Manifests.metricsServer,
    )
    expect(stack.resources.some((r) => r.type === "ppi:nodes:K3sNodes")).toBe(true)
  })
})
