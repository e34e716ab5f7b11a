import { describe, expect, it } from "@effect/vitest"
import { baseConfig, runStack } from "./testing/mock-stack.ts"
import { Manifests } from "./versions.ts"

const stack = await runStack(
  {
    ...baseConfig,
    mode: "cloud",
    postgresAdminPassword: "managed-pg-secret",
    redisAdminPassword: "managed-redis-secret",
    argoCdManifest: "/srv/airgap/argocd-install.yaml",
  },
  ["dnsCredentials", "postgresAdminPassword", "redisAdminPassword"],
)

describe("cluster bootstrap, cloud mode", () => {
  it("runs no data service in-cluster and no Longhorn", () => {
    expect(stack.ofType("kubernetes:apps/v1:StatefulSet")).toEqual([])
    expect(stack.ofType("kubernetes:yaml/v2:ConfigFile").map((r) => r.inputs.file)).not.toContain(Manifests.longhorn)
    expect(stack.ofType("random:index/randomPassword:RandomPassword")).toEqual([])
  })

  it("writes the managed services' admin credentials, from stack secrets, into the platform namespace only", () => {
    const secrets = stack
      .ofType("kubernetes:core/v1:Secret")
      .filter((r) => ["postgres-admin", "redis-admin"].includes(r.inputs.metadata.name))
    expect(secrets.map((r) => r.inputs.metadata.namespace)).toEqual(["platform", "platform"])
    const nonSecrets = JSON.stringify(
      stack.resources.filter((r) => r.type !== "kubernetes:core/v1:Secret").map((r) => r.inputs),
    )
    expect(nonSecrets).not.toMatch(/managed-pg-secret|managed-redis-secret|cf-token-value/)
  })

  it("installs Argo CD from the local manifest for air-gapped clusters", () => {
    const files = stack.ofType("kubernetes:yaml/v2:ConfigFile").map((r) => r.inputs.file)
    expect(files).toContain("/srv/airgap/argocd-install.yaml")
    expect(files).not.toContain(Manifests.argoCd)
  })

  it("still runs the shared tooling and the root app", () => {
    expect(stack.resources.filter((r) => r.inputs.kind === "ClusterIssuer")).toHaveLength(2)
    expect(stack.outputs).toEqual({ rootApplication: "tenants", mode: "cloud" })
  })
})
