import {
  ARGOCD_NAMESPACE,
  IN_CLUSTER,
  managedLabels,
  namespaceOf,
  PLATFORM_PROJECT,
  type Platform,
  signatureKeysOf,
} from "@ppi/config"
import { ApiObject, type Chart } from "cdk8s"
import { SyncWave, syncWave } from "../sync-wave.ts"

/** Kinds the platform project deploys into tenant namespaces and its own: guardrails, credentials, provisioning. */
const PLATFORM_KINDS = [
  { group: "", kind: "ResourceQuota" },
  { group: "", kind: "LimitRange" },
  { group: "", kind: "ServiceAccount" },
  { group: "", kind: "ConfigMap" },
  { group: "networking.k8s.io", kind: "NetworkPolicy" },
  { group: "rbac.authorization.k8s.io", kind: "Role" },
  { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
  { group: "batch", kind: "Job" },
  { group: "external-secrets.io", kind: "ExternalSecret" },
  { group: "external-secrets.io", kind: "SecretStore" },
  { group: "generators.external-secrets.io", kind: "Password" },
  { group: "argoproj.io", kind: "Application" },
  { group: "argoproj.io", kind: "AppProject" },
]

/**
 * The platform's AppProject, fleet-wide: it may create tenant namespaces and deploy guardrails
 * into exactly the tenants' namespaces, the platform namespace and Argo CD's own.
 */
export const addPlatformProject = (chart: Chart, platform: Platform, tenants: ReadonlyArray<string>): void => {
  const namespaces = [...new Set([ARGOCD_NAMESPACE, platform.platformNamespace, ...tenants.map(namespaceOf)])].sort()
  new ApiObject(chart, "platform-project", {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name: PLATFORM_PROJECT,
      namespace: ARGOCD_NAMESPACE,
      labels: { ...managedLabels("ppi-synth") },
      // Before the tenants' platform Applications (wave -1): an Application created while its
      // project does not yet allow its namespace stays invalid until the next reconciliation.
      annotations: syncWave(SyncWave.namespace),
    },
    spec: {
      description: "Platform-owned objects of every tenant: namespaces, guardrails, credentials, provisioning",
      sourceRepos: [platform.deploy.repoURL],
      ...signatureKeysOf(platform),
      destinations: namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
      clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
      namespaceResourceWhitelist: PLATFORM_KINDS,
    },
  })
}
