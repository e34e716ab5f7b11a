import {
  ARGOCD_NAMESPACE,
  IN_CLUSTER,
  managedLabels,
  namespaceOf,
  PLATFORM_PROJECT,
  PLATFORM_PROJECT_KINDS,
  type Platform,
  signatureKeysOf,
} from "@ppi/config"
import { ApiObject, type Chart } from "cdk8s"
import { SyncWave, syncWave } from "../sync-wave.ts"

/**
 * The platform's AppProject as the published tree describes it: exactly the tenants'
 * namespaces, the platform namespace and Argo CD's own. Review and `pnpm policy` read it; Argo CD
 * does not (the root Application skips the fleet folder): the live project is `cluster/`'s.
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
      namespaceResourceWhitelist: PLATFORM_PROJECT_KINDS.map((kind) => ({ ...kind })),
    },
  })
}
