import { dataNamespaceOf } from "./contract.ts"
import { PLATFORM_NAMESPACES } from "./names.ts"
import { endpoints, type Platform } from "./platform.ts"

/**
 * The contract between the synth (which writes `out/`), the deploy branch and the cluster
 * bootstrap (which creates the root Application): names and paths both sides must agree on.
 */
export const ARGOCD_NAMESPACE = "argocd"
/** The AppProject owning every tenant's guardrails and data plane. */
export const PLATFORM_PROJECT = "platform"
/** Folder of fleet-wide objects in `out/`; `_` keeps it apart from every tenant name. */
export const FLEET_FOLDER = "_platform"
/** Where the deploy branch records the rollout of the platform's API version (docs/rollouts.md). */
export const ROLLOUT_FILE = `${FLEET_FOLDER}/rollout.json`
/** The fleet report publish writes next to it (`pnpm report`). */
export const REPORT_FILE = `${FLEET_FOLDER}/report.html`
/**
 * Files on the deploy branch that are data, not manifests: no Application reads them (the root
 * Application includes only `<folder>/argocd/*.yaml`; tenant Applications read their own folders).
 */
export const DATA_FILES: ReadonlyArray<string> = [ROLLOUT_FILE, REPORT_FILE]
export const IN_CLUSTER = "https://kubernetes.default.svc"
/**
 * The label synth puts on every tenant object, the tenant Namespace included, set to the tenant's
 * name: the cluster's admission policies find tenant namespaces by it.
 */
export const TENANT_LABEL = "platform.parametric.dev/tenant"

/** The Argo CD Application of a tenant's platform component (its workload's is named like the tenant). */
export const platformApplicationOf = (tenant: string): string => `${tenant}-platform`

/** How every Application retries a failed sync: exponential backoff up to five minutes. */
export const SYNC_RETRY = { limit: 10, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } } as const

/** What every AppProject requires of a commit before Argo CD syncs it: one of the bot's signatures. */
export const signatureKeysOf = (
  platform: Pick<Platform, "deploy">,
): { readonly signatureKeys?: ReadonlyArray<{ keyID: string }> } =>
  platform.deploy.signingKeys.length === 0
    ? {}
    : { signatureKeys: platform.deploy.signingKeys.map(({ keyID }) => ({ keyID })) }

/**
 * Where the root app-of-apps finds the Argo CD objects on the deploy branch: every tenant's
 * `argocd` folder, never the fleet folder. The platform project is `cluster/`'s alone
 * (`platformProject`): a copy on the deploy branch would decide its own rights.
 */
const rootSource = (platform: Platform) => ({
  repoURL: platform.deploy.repoURL,
  targetRevision: platform.deploy.branch,
  path: ".",
  directory: { recurse: true, include: "*/argocd/*.yaml", exclude: `${FLEET_FOLDER}/*` },
})

/**
 * The root Application (created once by the cluster bootstrap). It prunes Applications whose
 * files left the deploy branch — the publish bot only lets that happen for decommissioned
 * tenants — and refuses to sync an empty source (`allowEmpty: false`).
 */
export const rootApplication = (platform: Platform) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: { name: "tenants", namespace: ARGOCD_NAMESPACE },
  spec: {
    project: PLATFORM_PROJECT,
    source: rootSource(platform),
    destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
    syncPolicy: {
      automated: { prune: true, selfHeal: true, allowEmpty: false },
      syncOptions: ["ServerSideApply=true"],
      retry: SYNC_RETRY,
    },
  },
})

/** Kinds the platform project deploys into tenant namespaces and its own: guardrails, credentials, provisioning. */
export const PLATFORM_PROJECT_KINDS: ReadonlyArray<{ readonly group: string; readonly kind: string }> = [
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
 * Namespaces no tenant may be named after and the platform project may never reach: the
 * platform's own (but Argo CD's and the platform namespace, where it works), the ingress and data
 * namespaces of this platform, and Kubernetes' `kube-*`.
 */
export const reservedNamespaces = (platform: Platform): ReadonlyArray<string> => {
  const { postgres, redis } = endpoints(platform)
  const reserved = new Set<string>([
    ...PLATFORM_NAMESPACES,
    platform.ingressNamespace,
    dataNamespaceOf(postgres),
    dataNamespaceOf(redis),
  ])
  for (const working of [ARGOCD_NAMESPACE, platform.platformNamespace]) reserved.delete(working)
  return [...reserved, "kube-*"].sort()
}

/**
 * The platform AppProject, created by the cluster bootstrap and by nothing else (the root
 * Application never reads the fleet folder; admission refuses any other spec for it). Tenants
 * come and go without `pulumi up`, so it cannot list their namespaces: it allows every namespace
 * but the reserved ones (Argo CD's deny patterns), and admission confines each of its
 * Applications to a tenant's namespace and folder.
 */
export const platformProject = (platform: Platform) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AppProject",
  metadata: {
    name: PLATFORM_PROJECT,
    namespace: ARGOCD_NAMESPACE,
    // A cluster whose root Application synced the old deploy-branch copy must not prune it.
    annotations: { "argocd.argoproj.io/sync-options": "Prune=false" },
  },
  spec: {
    description: "Platform-owned objects of every tenant: namespaces, guardrails, credentials, provisioning",
    sourceRepos: [platform.deploy.repoURL],
    ...signatureKeysOf(platform),
    destinations: [
      { server: IN_CLUSTER, namespace: "*" },
      ...reservedNamespaces(platform).map((namespace) => ({ server: IN_CLUSTER, namespace: `!${namespace}` })),
    ],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
    namespaceResourceWhitelist: PLATFORM_PROJECT_KINDS.map((kind) => ({ ...kind })),
  },
})

/**
 * Beside a tenant's component folders on the deploy branch: what its manifests were rendered
 * from (JSON). Not a manifest: no Application reads the tenant folder itself, and the root app
 * reads only the YAML files of each `argocd` component folder.
 */
export const METADATA_FILE = "synth.metadata"
