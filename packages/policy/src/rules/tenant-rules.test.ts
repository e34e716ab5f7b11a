import { describe, expect, it } from "@effect/vitest"
import { checkTenant, tenantRules } from "../index.ts"
import type { KubeObject } from "../kube-object.ts"
import { completeQuota, deployment, object } from "./testing-objects.ts"

const selector = { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "acme" } }
const quota = completeQuota()
const denyAll = object("NetworkPolicy", "default-deny", {
  spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
})
const tenant: ReadonlyArray<KubeObject> = [
  object("Namespace", "acme", {}, null),
  quota,
  object("LimitRange", "l"),
  denyAll,
  deployment({}, { replicas: 3 }),
  object("PodDisruptionBudget", "api", { spec: { minAvailable: 2, selector } }),
  {
    ...object(
      "AppProject",
      "acme",
      {
        spec: {
          sourceRepos: ["https://git.example/deploy.git"],
          destinations: [{ server: "https://kubernetes.default.svc", namespace: "acme" }],
        },
      },
      "argocd",
    ),
    apiVersion: "argoproj.io/v1alpha1",
  },
  {
    ...object(
      "Application",
      "acme",
      { spec: { project: "acme", destination: { server: "https://kubernetes.default.svc", namespace: "acme" } } },
      "argocd",
    ),
    apiVersion: "argoproj.io/v1alpha1",
  },
]
const without = (kind: string, name?: string) =>
  tenant.filter((o) => !(o.kind === kind && (name === undefined || o.metadata.name === name)))
const replace = (kind: string, next: KubeObject) => [...without(kind), next]

const cases: Record<string, ReadonlyArray<ReadonlyArray<KubeObject>>> = {
  "mtb/no-cluster-scoped": [
    [...tenant, { ...object("ClusterRole", "admin", {}, null), apiVersion: "rbac.authorization.k8s.io/v1" }],
    // The API server ignores the namespace of a cluster-scoped object: the rule must too.
    [...tenant, { ...object("ClusterRoleBinding", "admin"), apiVersion: "rbac.authorization.k8s.io/v1" }],
    [...tenant, object("Namespace", "other", {}, null)],
  ],
  "mtb/quota-present": [without("ResourceQuota"), without("LimitRange")],
  "mtb/default-deny": [
    without("NetworkPolicy"),
    replace(
      "NetworkPolicy",
      object("NetworkPolicy", "default-deny", { spec: { podSelector: {}, policyTypes: ["Ingress"] } }),
    ),
    replace(
      "NetworkPolicy",
      object("NetworkPolicy", "default-deny", {
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{}] },
      }),
    ),
  ],
  "hygiene/pdb-for-replicated": [
    without("PodDisruptionBudget"),
    replace(
      "PodDisruptionBudget",
      object("PodDisruptionBudget", "api", { spec: { minAvailable: 2, selector: { matchLabels: { app: "other" } } } }),
    ),
  ],
  "argocd/confined-to-tenant": [
    replace("Application", {
      ...object(
        "Application",
        "acme",
        {
          spec: {
            project: "acme",
            destination: { server: "https://kubernetes.default.svc", namespace: "kube-system" },
          },
        },
        "argocd",
      ),
      apiVersion: "argoproj.io/v1alpha1",
    }),
    replace("Application", {
      ...object("Application", "acme", { spec: { project: "default", destination: { namespace: "acme" } } }, "argocd"),
      apiVersion: "argoproj.io/v1alpha1",
    }),
    replace("AppProject", {
      ...object(
        "AppProject",
        "acme",
        {
          spec: {
            sourceRepos: ["*"],
            destinations: [{ server: "https://kubernetes.default.svc", namespace: "*" }],
            clusterResourceWhitelist: [{ group: "*", kind: "*" }],
          },
        },
        "argocd",
      ),
      apiVersion: "argoproj.io/v1alpha1",
    }),
  ],
}

describe("tenant rules", () => {
  it("has bad cases for every rule", () => {
    expect(Object.keys(cases).sort()).toEqual(tenantRules.map((rule) => rule.id).sort())
  })

  it("passes a compliant tenant on every rule", () => {
    expect(checkTenant("acme", tenant)).toEqual([])
  })

  describe.each(Object.entries(cases))("%s", (id, bads) => {
    it.each(bads.map((objects, i) => [i, objects] as const))("catches bad case %i", (_i, objects) => {
      expect(checkTenant("acme", objects).filter((violation) => violation.rule === id).length).toBeGreaterThan(0)
    })
  })

  it("does not count a single-replica Deployment as replicated, nor a Deployment scaled by an HPA at one", () => {
    const single = [
      ...without("PodDisruptionBudget").filter((o) => o.kind !== "Deployment"),
      deployment({}, { replicas: 1 }),
    ]
    expect(checkTenant("acme", single)).toEqual([])
    const hpa = object("HorizontalPodAutoscaler", "api", { spec: { minReplicas: 2, scaleTargetRef: { name: "api" } } })
    expect(checkTenant("acme", [...single, hpa]).map((v) => v.rule)).toEqual(["hygiene/pdb-for-replicated"])
  })
})
