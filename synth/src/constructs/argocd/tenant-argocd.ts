import {
  ARGOCD_NAMESPACE,
  IN_CLUSTER,
  PLATFORM_PROJECT,
  platformApplicationOf,
  SYNC_RETRY,
  signatureKeysOf,
} from "@ppi/config"
import { ApiObject } from "cdk8s"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "../sync-wave.ts"
import type { TenantContext } from "../tenant-context.ts"

const ARGO = "argoproj.io/v1alpha1"

/** What a tenant's own application may create: its workload, nothing that guards it. */
export const TENANT_KINDS = [
  { group: "", kind: "ServiceAccount" },
  { group: "", kind: "ConfigMap" },
  { group: "", kind: "Service" },
  { group: "apps", kind: "Deployment" },
  { group: "networking.k8s.io", kind: "Ingress" },
  { group: "autoscaling", kind: "HorizontalPodAutoscaler" },
  { group: "policy", kind: "PodDisruptionBudget" },
]

const syncPolicy = {
  automated: { prune: true, selfHeal: true, allowEmpty: false },
  syncOptions: ["ServerSideApply=true", "PruneLast=true", "FailOnSharedResource=true"],
  retry: SYNC_RETRY,
}

/**
 * Per tenant: an AppProject confined to the tenant (the deploy repository only, the tenant
 * namespace on the in-cluster server only, no cluster-scoped kind, only workload kinds), the
 * Application of its guardrails and data plane under the platform's project, and the Application
 * of its workload under its own project, synced after the first.
 */
export class TenantArgoCd extends Construct {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id)
    const { tenant, platform, namespace } = context
    const labels = { ...context.labels, "app.kubernetes.io/name": "tenant" }
    const source = (component: string) => ({
      repoURL: platform.deploy.repoURL,
      targetRevision: platform.deploy.branch,
      path: `${tenant.name}/${component}`,
    })

    new ApiObject(this, "project", {
      apiVersion: ARGO,
      kind: "AppProject",
      metadata: { name: tenant.name, namespace: ARGOCD_NAMESPACE, labels, annotations: syncWave(SyncWave.namespace) },
      spec: {
        description: `Tenant ${tenant.name}: its workload, in its namespace, from the deploy branch only`,
        sourceRepos: [platform.deploy.repoURL],
        ...signatureKeysOf(platform),
        destinations: [{ server: IN_CLUSTER, namespace }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: TENANT_KINDS,
        orphanedResources: { warn: true },
      },
    })
    // No resources finalizer: removing this Application leaves namespace, credentials and data.
    new ApiObject(this, "platform-app", {
      apiVersion: ARGO,
      kind: "Application",
      metadata: {
        name: platformApplicationOf(tenant.name),
        namespace: ARGOCD_NAMESPACE,
        labels,
        annotations: syncWave(SyncWave.platformApplication),
      },
      spec: {
        project: PLATFORM_PROJECT,
        source: source("platform"),
        destination: { server: IN_CLUSTER, namespace },
        syncPolicy,
      },
    })
    // With the resources finalizer: a decommissioned tenant's workload is removed with it.
    new ApiObject(this, "app", {
      apiVersion: ARGO,
      kind: "Application",
      metadata: {
        name: tenant.name,
        namespace: ARGOCD_NAMESPACE,
        labels,
        annotations: syncWave(SyncWave.workloadApplication),
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
      },
      spec: {
        project: tenant.name,
        source: source("app"),
        destination: { server: IN_CLUSTER, namespace },
        syncPolicy,
      },
    })
  }
}
