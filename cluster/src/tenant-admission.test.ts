import { describe, expect, it } from "@effect/vitest"
import { decodePlatform, PLATFORM_FILE, type PlatformInput, TENANT_LABEL } from "@ppi/config"
import { Effect } from "effect"
import { tenantAdmissionPolicies } from "./components/tenant-admission.ts"
import { readPlatformInput } from "./platform-file.ts"
import { baseConfig, runStack } from "./testing/mock-stack.ts"

/** The repository's platform file, read as data the way the program reads it. */
const platformInput = (await Effect.runPromise(readPlatformInput())) as PlatformInput

const POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"

const selfhosted = await runStack({ ...baseConfig, mode: "selfhosted" }, ["dnsCredentials"])

const policies = (stack: typeof selfhosted) =>
  new Map(stack.ofType(POLICY).map((resource) => [resource.inputs.metadata.name as string, resource.inputs.spec]))
const expressions = (spec: any): string =>
  spec.validations.map((validation: { expression: string }) => validation.expression).join("\n")

/** Parentheses, brackets and quotes balance: a generated expression the API server could not even parse fails here. */
const balanced = (expression: string): boolean => {
  const stack: Array<string> = []
  let quoted = false
  for (const char of expression) {
    if (char === "'") quoted = !quoted
    else if (quoted) continue
    else if (char === "(" || char === "[") stack.push(char)
    else if (char === ")" && stack.pop() !== "(") return false
    else if (char === "]" && stack.pop() !== "[") return false
  }
  return !quoted && stack.length === 0
}

describe("tenant admission policies", () => {
  it("installs one policy per guardrail, each failing closed with a message per validation", () => {
    const installed = policies(selfhosted)
    expect([...installed.keys()].sort()).toEqual([
      "ppi-argocd-applications",
      "ppi-argocd-namespaces",
      "ppi-argocd-projects",
      "ppi-tenant-cronjob-images",
      "ppi-tenant-egress",
      "ppi-tenant-images",
      "ppi-tenant-namespace",
      "ppi-tenant-rolebindings",
      "ppi-tenant-services",
      "ppi-tenant-workload-images",
    ])
    for (const spec of installed.values()) {
      expect(spec.failurePolicy).toBe("Fail")
      for (const validation of spec.validations) {
        expect(validation.message).toMatch(/^(tenant|a tenant|every|an Argo CD|the |a Namespace Argo CD)/)
        expect(balanced(validation.expression), validation.expression).toBe(true)
      }
    }
  })

  it("binds every policy to deny, namespaced objects in the namespaces synth labels as a tenant's (Argo CD's objects in its namespace)", () => {
    const bindings = selfhosted.ofType(BINDING).map((resource) => resource.inputs.spec)
    expect(bindings.map((binding) => binding.policyName).sort()).toEqual([...policies(selfhosted).keys()].sort())
    for (const binding of bindings) {
      expect(binding.validationActions).toEqual(["Deny"])
      if (["ppi-tenant-namespace", "ppi-argocd-namespaces"].includes(binding.policyName))
        expect(binding.matchResources).toBeUndefined()
      else if (binding.policyName.startsWith("ppi-argocd-"))
        expect(binding.matchResources.namespaceSelector).toEqual({
          matchLabels: { "kubernetes.io/metadata.name": "argocd" },
        })
      else
        expect(binding.matchResources.namespaceSelector).toEqual({
          matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }],
        })
    }
  })

  it("keeps watching a namespace whose tenant label is being removed", () => {
    const namespace = policies(selfhosted).get("ppi-tenant-namespace")
    expect(namespace.matchConstraints.resourceRules[0].resources).toEqual(["namespaces"])
    expect(namespace.matchConditions[0].expression).toContain(
      `oldObject != null && has(oldObject.metadata.labels) && '${TENANT_LABEL}' in oldObject.metadata.labels`,
    )
    expect(expressions(namespace)).toContain("pod-security.kubernetes.io/enforce'] == 'restricted'")
  })

  it("refuses ExternalName, NodePort, LoadBalancer and externalIPs, ClusterRole bindings and foreign images", () => {
    const installed = policies(selfhosted)
    expect(expressions(installed.get("ppi-tenant-services"))).toContain("object.spec.type == 'ClusterIP'")
    expect(expressions(installed.get("ppi-tenant-services"))).toContain("size(object.spec.externalIPs) == 0")
    expect(expressions(installed.get("ppi-tenant-rolebindings"))).toBe("object.roleRef.kind == 'Role'")
    expect(expressions(installed.get("ppi-tenant-images"))).toContain(
      "c.image.startsWith('ghcr.io/parametric-portal/api:')",
    )
  })

  it("allows no egress by address range when self-hosted", () => {
    const egress = expressions(policies(selfhosted).get("ppi-tenant-egress"))
    expect(egress).toContain("rule.to.all(peer, !has(peer.ipBlock)))")
    expect(egress).not.toContain("cidr(")
  })

  it.effect("allows egress by address range only within the managed services' ranges in cloud mode", () =>
    Effect.gen(function* () {
      const cloud = yield* decodePlatform(PLATFORM_FILE, { ...platformInput, mode: "cloud" })
      const egress = tenantAdmissionPolicies(cloud).find((policy) => policy.name === "ppi-tenant-egress")
      expect(egress?.validations.map((validation) => validation.expression).join("\n")).toContain(
        "['10.20.0.0/24', '10.20.1.0/24'].exists(allowed, cidr(allowed).containsCIDR(peer.ipBlock.cidr))",
      )
    }),
  )
})
