import { describe, expect, it } from "@effect/vitest"
import { baseConfig, type MockedResource, type MockedStack, runStack } from "./testing/mock-stack.ts"
import { waitsFor } from "./testing/waits-for.ts"
import { Manifests } from "./versions.ts"

const selfhosted = await runStack({ ...baseConfig, mode: "selfhosted" }, ["dnsCredentials"])
const cloud = await runStack(
  { ...baseConfig, mode: "cloud", postgresAdminPassword: "pg", redisAdminPassword: "redis" },
  ["dnsCredentials", "postgresAdminPassword", "redisAdminPassword"],
)

/** The manifest that installs the CRDs of each API group the program declares objects of. */
const CRDS_OF: Readonly<Record<string, string>> = {
  "argoproj.io": Manifests.argoCd,
  "cert-manager.io": Manifests.certManager,
  "external-secrets.io": Manifests.externalSecretsCrds,
}
const BUILT_IN =
  /^(core|apps|rbac\.authorization\.k8s\.io|storage\.k8s\.io|networking\.k8s\.io|admissionregistration\.k8s\.io|policy|batch)$/

const kubernetesObjects = (stack: MockedStack) =>
  stack.resources.filter(
    (r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:yaml/v2:ConfigFile" && r.inputs.metadata,
  )
const groupOf = (resource: MockedResource) => resource.type.split(":")[1]?.split("/")[0] ?? ""

/** What the API server needs before `resource` and the program declares elsewhere, but `resource` does not wait for. */
const unmetNeeds = (stack: MockedStack) => {
  const closure = waitsFor(stack.resources)
  const namespaces = new Map(
    stack.ofType("kubernetes:core/v1:Namespace").map((r) => [String(r.inputs.metadata.name), r.urn]),
  )
  const installs = new Map(stack.ofType("kubernetes:yaml/v2:ConfigFile").map((r) => [String(r.inputs.file), r.urn]))
  return kubernetesObjects(stack).flatMap((resource) => {
    const waited = closure.get(resource.urn) ?? new Set()
    const namespace = namespaces.get(String(resource.inputs.metadata.namespace))
    const group = groupOf(resource)
    const crds = BUILT_IN.test(group) ? undefined : installs.get(CRDS_OF[group] ?? `no install known for ${group}`)
    return [
      ...(namespace !== undefined && !waited.has(namespace) ? [`${resource.name} → its namespace`] : []),
      ...(!BUILT_IN.test(group) && (crds === undefined || !waited.has(crds))
        ? [`${resource.name} → ${group}'s CRDs`]
        : []),
    ]
  })
}

describe("dependencies the program declares", () => {
  it("are captured as the SDK sends them: parent and dependency URNs of registered resources", () => {
    const root = selfhosted.named("prod-root-application")
    const project = selfhosted.named("prod-platform-project")
    const argoCd = selfhosted.named("prod-gitops")
    expect(root?.parent).toBe(argoCd?.urn)
    expect(root?.dependencies).toEqual([project?.urn])
    const urns = new Set(selfhosted.resources.map((r) => r.urn))
    for (const r of selfhosted.resources)
      for (const urn of [...r.dependencies, ...(r.parent ? [r.parent] : [])]) expect(urns).toContain(urn)
  })

  it.each([
    ["selfhosted", selfhosted],
    ["cloud", cloud],
  ])(
    "in %s mode, make every object wait for its namespace and its kind's CRDs when the program declares them",
    (_, stack) => {
      expect(kubernetesObjects(stack).length).toBeGreaterThan(30)
      expect(unmetNeeds(stack)).toEqual([])
    },
  )
})
