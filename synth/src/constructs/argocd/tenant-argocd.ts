import {
  ARGOCD_NAMESPACE,
  IN_CLUSTER,
  PLATFORM_PROJECT,
  type Platform,
  platformApplicationOf,
  SYNC_RETRY,
  signatureKeysOf,
} from "@ppi/config"
import { ApiObject } from "cdk8s"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "../sync-wave.ts"
import type { TenantObjectProps } from "../tenant-context.ts"

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

export interface TenantArgoCdProps extends TenantObjectProps {
  /** The tenant's name: its AppProject, its workload's Application and its folder on the deploy branch. */
  readonly tenant: string
  /** The deploy repository and branch, and the keys its commits must be signed with (`Platform.deploy`). */
  readonly deploy: Platform["deploy"]
}

/**
 * Per tenant: an AppProject confined to the tenant (the deploy repository only, the tenant
 * namespace on the in-cluster server only, no cluster-scoped kind, only workload kinds), the
 * Application of its guardrails and data plane under the platform's project, and the Application
 * of its workload under its own project, synced after the first.
 */
export class TenantArgoCd extends Construct {
  constructor(scope: Construct, id: string, props: TenantArgoCdProps) {
    super(scope, id)
    const { tenant, deploy, namespace } = props
    const labels = { ...props.labels, "app.kubernetes.io/name": "tenant" }
    const source = (component: string) => ({
      repoURL: deploy.repoURL,
      targetRevision: deploy.branch,
      path: `${tenant}/${component}`,
    })

    new ApiObject(this, "project", {
      apiVersion: ARGO,
      kind: "AppProject",
      metadata: { name: tenant, namespace: ARGOCD_NAMESPACE, labels, annotations: syncWave(SyncWave.namespace) },
      spec: {
        description: `Tenant ${tenant}: its workload, in its namespace, from the deploy branch only`,
        sourceRepos: [deploy.repoURL],
        ...signatureKeysOf({ deploy }),
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
        name: platformApplicationOf(tenant),
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
        name: tenant,
        namespace: ARGOCD_NAMESPACE,
        labels,
        annotations: syncWave(SyncWave.workloadApplication),
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
      },
      spec: {
        project: tenant,
        source: source("app"),
        destination: { server: IN_CLUSTER, namespace },
        syncPolicy,
      },
    })
  }
}
