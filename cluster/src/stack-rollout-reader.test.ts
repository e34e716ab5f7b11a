import { describe, expect, it } from "@effect/vitest"
import { baseConfig, runStack } from "./testing/mock-stack.ts"

const stack = await runStack({ ...baseConfig, mode: "selfhosted" }, ["dnsCredentials"])

describe("the rollout's reader", () => {
  it("may only get and list Argo CD's Applications in Argo CD's namespace", () => {
    const roles = stack.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role")
    const reader = roles.filter((r) => r.inputs.metadata.name === "ppi-rollout-reader")
    expect(reader.map((r) => [r.inputs.metadata.namespace, r.inputs.rules])).toEqual([
      ["argocd", [{ apiGroups: ["argoproj.io"], resources: ["applications"], verbs: ["get", "list"] }]],
    ])
    const bindings = stack
      .ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
      .filter((r) => r.inputs.roleRef.name === "ppi-rollout-reader")
    expect(bindings.map((r) => [r.inputs.metadata.namespace, r.inputs.roleRef.kind, r.inputs.subjects])).toEqual([
      ["argocd", "Role", [{ kind: "ServiceAccount", name: "ppi-rollout-reader", namespace: "argocd" }]],
    ])
    // Nothing else binds the account: no ClusterRoleBinding, no second RoleBinding.
    const subjects = JSON.stringify(
      stack.resources
        .filter((r) => r.type.includes("RoleBinding"))
        .filter((r) => r !== bindings[0])
        .map((r) => r.inputs.subjects),
    )
    expect(subjects).not.toContain("ppi-rollout-reader")
  })

  it("gets a long-lived token Secret, named in the stack's outputs for the repository's ARGOCD_READER_TOKEN", () => {
    const tokens = stack
      .ofType("kubernetes:core/v1:Secret")
      .filter((r) => r.inputs.type === "kubernetes.io/service-account-token")
    expect(
      tokens.map((r) => [r.inputs.metadata.namespace, r.inputs.metadata.name, r.inputs.metadata.annotations]),
    ).toEqual([["argocd", "ppi-rollout-reader-token", { "kubernetes.io/service-account.name": "ppi-rollout-reader" }]])
    expect(stack.program.rolloutReaderTokenSecret).toBe("argocd/ppi-rollout-reader-token")
  })
})
