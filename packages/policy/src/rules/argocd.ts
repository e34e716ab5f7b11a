import { IN_CLUSTER, namespaceOf, PLATFORM_PROJECT, platformApplicationOf } from "@ppi/config"
import { field, isRecord, type KubeObject, list } from "../kube-object.ts"
import type { TreeContext } from "../tree/context.ts"
import type { Finding, Folder, Placed } from "../tree/model.ts"
import { TENANT_SLOTS } from "../tree/placement.ts"
import { perObject, type TreeRule } from "../tree/rule.ts"

/**
 * Argo CD objects judged by what they let Argo CD do. A project's rights are its destinations,
 * source repositories and kinds; anything else in its spec either narrows (blacklists, windows,
 * signature keys) or widens in ways synth never uses (roles with tokens, applications from other
 * namespaces, impersonated service accounts), so those are refused.
 */
const PROJECT_FIELDS = new Set([
  "description",
  "sourceRepos",
  "destinations",
  "clusterResourceWhitelist",
  "clusterResourceBlacklist",
  "namespaceResourceWhitelist",
  "namespaceResourceBlacklist",
  "orphanedResources",
  "signatureKeys",
  "syncWindows",
])
const APPLICATION_FIELDS = new Set(["project", "source", "destination", "syncPolicy", "revisionHistoryLimit", "info"])
const SOURCE_FIELDS = new Set(["repoURL", "path", "targetRevision"])
const SYNC_OPTIONS = new Set(["ServerSideApply=true", "PruneLast=true", "FailOnSharedResource=true", "Validate=true"])
const SYNC_POLICY_FIELDS = new Set(["automated", "syncOptions", "retry"])

const isEmpty = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  value === false ||
  (Array.isArray(value) && value.length === 0) ||
  (isRecord(value) && Object.keys(value).length === 0)

const extraFields = (value: unknown, allowed: ReadonlySet<string>): ReadonlyArray<string> =>
  isRecord(value) ? Object.keys(value).filter((key) => !allowed.has(key) && !isEmpty(value[key])) : []

const isProject = (placed: Placed) => placed.object.kind === "AppProject"
const isApplication = (placed: Placed) => placed.object.kind === "Application"

/** Destinations by server URL on the in-cluster server into exactly the allowed namespaces. */
const destinationProblems = (object: KubeObject, namespaces: ReadonlyArray<string>): ReadonlyArray<string> => {
  const destinations = list(field(object, "spec", "destinations"))
  // A set: the platform project has one destination per tenant, 10,000 in a large fleet.
  const allowed = new Set(namespaces)
  if (destinations.length === 0) return ["has no destination"]
  return destinations.flatMap((destination) => {
    if (!isRecord(destination)) return ["has a destination that is not an object"]
    const where = `${String(destination.server ?? destination.name)} ${String(destination.namespace)}`
    return [
      ...(destination.name !== undefined ? [`names a destination cluster (${String(destination.name)})`] : []),
      ...(destination.server !== IN_CLUSTER && destination.name === undefined
        ? [`allows server ${String(destination.server)}`]
        : []),
      ...(typeof destination.namespace !== "string" || !allowed.has(destination.namespace)
        ? [`allows destination ${where}`]
        : []),
    ]
  })
}

const sourceRepoProblems = (object: KubeObject, context: TreeContext): ReadonlyArray<string> => {
  const repos = list(field(object, "spec", "sourceRepos"))
  if (repos.length === 0) return ["has no source repository"]
  return repos
    .filter((repo) => repo !== context.deployRepo)
    .map((repo) => `allows source ${String(repo)}, not the deploy repository ${context.deployRepo ?? "(unknown)"}`)
}

const kindEntry = (entry: unknown): string =>
  isRecord(entry) ? `${String(entry.group)}/${String(entry.kind)}` : String(entry)

/** `namespaceResourceWhitelist` ⊆ what synth allows; an empty one allows every namespaced kind. */
const whitelistProblems = (object: KubeObject, allowed: ReadonlySet<string>): ReadonlyArray<string> => {
  const entries = list(field(object, "spec", "namespaceResourceWhitelist"))
  if (entries.length === 0) return ["has no namespaceResourceWhitelist, which allows every namespaced kind"]
  return entries
    .map(kindEntry)
    .filter((entry) => !allowed.has(entry))
    .map((entry) => `allows namespaced kind ${entry}`)
}

const clusterKindProblems = (object: KubeObject, allowed: ReadonlySet<string>): ReadonlyArray<string> =>
  list(field(object, "spec", "clusterResourceWhitelist"))
    .map(kindEntry)
    .filter((entry) => !allowed.has(entry))
    .map((entry) => `allows cluster-scoped kind ${entry}`)

const TENANT_APP_KINDS: ReadonlySet<string> = new Set(
  (TENANT_SLOTS.app ?? []).map((slot) => `${slot.group}/${slot.kind}`),
)

/** Every AppProject in a tenant folder is judged as that tenant's: there is no other kind of project there. */
const onTenantProjects =
  (check: (placed: Placed, context: TreeContext) => ReadonlyArray<string>) =>
  (placed: Placed, _folder: Folder, context: TreeContext) =>
    isProject(placed) ? check(placed, context) : []

export const projectFields = perObject(
  "argocd/project-fields",
  "AppProjects set only the fields synth uses (no roles, sourceNamespaces, destinationServiceAccounts…)",
  (placed) =>
    isProject(placed) ? extraFields(placed.object.spec, PROJECT_FIELDS).map((key) => `sets spec.${key}`) : [],
)

const projectDestinations = perObject(
  "argocd/project-destinations",
  "A tenant's AppProject deploys only into the tenant namespace, on the in-cluster server, by URL",
  onTenantProjects(({ object, tenant }) => destinationProblems(object, [namespaceOf(tenant)])),
)

export const projectSources = perObject(
  "argocd/project-sources",
  "AppProjects source only the deploy repository",
  (placed, _folder, context) => (isProject(placed) ? sourceRepoProblems(placed.object, context) : []),
)

const projectKinds = perObject(
  "argocd/project-kinds",
  "A tenant's AppProject allows no cluster-scoped kind and only the workload kinds synth allows",
  onTenantProjects(({ object }) => [
    ...clusterKindProblems(object, new Set()),
    ...whitelistProblems(object, TENANT_APP_KINDS),
  ]),
)

/** Which project, and which folder, each Application of a tenant folder may use. */
const expectedApplication = (object: KubeObject, tenant: string) =>
  object.metadata.name === platformApplicationOf(tenant)
    ? { project: PLATFORM_PROJECT, path: `${tenant}/platform` }
    : { project: tenant, path: `${tenant}/app` }

const applicationProject = perObject(
  "argocd/application-project",
  "A tenant's Applications use its own project (its platform Application, the platform project)",
  (placed) => {
    if (!isApplication(placed)) return []
    const project = field(placed.object, "spec", "project")
    const expected = expectedApplication(placed.object, placed.tenant).project
    return project === expected ? [] : [`uses project ${String(project)}, not ${expected}`]
  },
)

const applicationDestination = perObject(
  "argocd/application-destination",
  "A tenant's Applications deploy into the tenant namespace on the in-cluster server",
  (placed) => {
    if (!isApplication(placed)) return []
    const destination = field(placed.object, "spec", "destination")
    const server = field(destination, "server")
    const namespace = field(destination, "namespace")
    return [
      ...(field(destination, "name") !== undefined
        ? [`names a destination cluster (${String(field(destination, "name"))})`]
        : []),
      ...(server !== IN_CLUSTER && field(destination, "name") === undefined
        ? [`deploys to server ${String(server)}`]
        : []),
      ...(namespace !== namespaceOf(placed.tenant) ? [`deploys into namespace ${String(namespace)}`] : []),
    ]
  },
)

const applicationSource = perObject(
  "argocd/application-source",
  "A tenant's Applications read their own folder of the deploy branch, as plain manifests",
  (placed, _folder, context) => {
    if (!isApplication(placed)) return []
    const spec = placed.object.spec
    const source = field(spec, "source")
    const expected = expectedApplication(placed.object, placed.tenant)
    return [
      ...(field(spec, "sources") !== undefined ? ["uses spec.sources"] : []),
      ...(!isRecord(source) ? ["has no spec.source"] : []),
      ...extraFields(source, SOURCE_FIELDS).map((key) => `sets source.${key}`),
      ...(field(source, "repoURL") !== context.deployRepo
        ? [`reads ${String(field(source, "repoURL"))}, not the deploy repository`]
        : []),
      ...(context.deployBranch !== undefined && field(source, "targetRevision") !== context.deployBranch
        ? [`reads revision ${String(field(source, "targetRevision"))}, not ${context.deployBranch}`]
        : []),
      ...(field(source, "path") !== expected.path
        ? [`reads path ${String(field(source, "path"))}, not ${expected.path}`]
        : []),
    ]
  },
)

/**
 * With signing keys listed, a project that drops or changes them lets Argo CD sync a commit the
 * bot did not sign (or one signed by someone else's key): every project carries exactly the
 * platform's keys. Without keys listed (or without a platform file) there is nothing to compare.
 */
export const projectSignature = perObject(
  "argocd/project-signature",
  "When the platform lists signing keys, every AppProject requires exactly those keys of a commit",
  (placed, _folder, context) => {
    const wanted = context.signingKeys ?? []
    if (!isProject(placed) || wanted.length === 0) return []
    const keys = list(field(placed.object, "spec", "signatureKeys")).map((key) => String(field(key, "keyID")))
    const missing = wanted.filter((key) => !keys.includes(key))
    const foreign = keys.filter((key) => !wanted.includes(key))
    return [
      ...(keys.length === 0 ? ["requires no signature of a commit"] : []),
      ...(keys.length > 0 ? missing.map((key) => `does not require the platform's key ${key}`) : []),
      ...foreign.map((key) => `trusts key ${key}, which the platform does not list`),
    ]
  },
)

const OBJECT_FIELDS = new Set(["apiVersion", "kind", "metadata", "spec"])

const applicationFields = perObject(
  "argocd/application-fields",
  "Applications set only what synth sets: no operation, ignoreDifferences, managed namespace metadata or other sync options",
  (placed) => {
    if (!isApplication(placed)) return []
    const syncPolicy = field(placed.object, "spec", "syncPolicy")
    return [
      // A top-level `operation` makes Argo CD run it (a forced or replacing sync, say) as written.
      ...extraFields(placed.object, OBJECT_FIELDS).map((key) => `sets ${key}`),
      ...extraFields(placed.object.spec, APPLICATION_FIELDS).map((key) => `sets spec.${key}`),
      ...extraFields(syncPolicy, SYNC_POLICY_FIELDS).map((key) => `sets syncPolicy.${key}`),
      ...list(field(syncPolicy, "syncOptions"))
        .filter((option) => typeof option !== "string" || !SYNC_OPTIONS.has(option))
        .map((option) => `sets sync option ${String(option)}`),
    ]
  },
)

/**
 * Argo CD reads instructions from every object's annotations: synth sets only sync waves, and the
 * Sync hook of the provisioning Job. Others could keep an object alive after its tenant is gone
 * (`sync-options: Delete=false`), force or replace it, or turn any object into a hook.
 */
const ARGO_ANNOTATION = "argocd.argoproj.io/"
const HOOK_ANNOTATIONS: Readonly<Record<string, string>> = {
  "argocd.argoproj.io/hook": "Sync",
  "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
}

const resourceAnnotations = perObject(
  "argocd/resource-annotations",
  "Objects carry no Argo CD instruction but a sync wave (and the provisioning Job its Sync hook)",
  ({ object }, _folder, context) =>
    Object.entries(object.metadata.annotations ?? {})
      .filter(([key]) => key.startsWith(ARGO_ANNOTATION) && key !== `${ARGO_ANNOTATION}sync-wave`)
      .filter(
        ([key, value]) =>
          !(
            object.kind === "Job" &&
            object.metadata.namespace === context.platformNamespace &&
            HOOK_ANNOTATIONS[key] === value
          ),
      )
      .map(([key, value]) => `sets ${key}: ${String(value)}`),
)

export const tenantArgoRules: ReadonlyArray<TreeRule> = [
  resourceAnnotations,
  projectFields,
  projectDestinations,
  projectSources,
  projectKinds,
  projectSignature,
  applicationProject,
  applicationDestination,
  applicationSource,
  applicationFields,
]

/** What the platform project may deploy: the platform component's namespaced kinds, and Argo CD's own. */
const PLATFORM_NAMESPACED_KINDS: ReadonlySet<string> = new Set([
  ...(TENANT_SLOTS.platform ?? []).filter((slot) => slot.namespace !== "cluster").map((s) => `${s.group}/${s.kind}`),
  "argoproj.io/Application",
  "argoproj.io/AppProject",
])

/**
 * The platform's project (`_platform/argocd`), given the tenants of the tree: it may reach Argo
 * CD's namespace, the platform namespace and the tenants' namespaces, create Namespaces and
 * nothing else cluster-scoped.
 */
export const platformProject = {
  id: "argocd/platform-project",
  description:
    "The platform AppProject reaches only Argo CD's, the platform's and the tenants' namespaces, creates only Namespaces cluster-wide, and only the kinds synth gives it",
  check: (fleet: Folder, tenants: ReadonlyArray<string>, context: TreeContext): ReadonlyArray<Finding> =>
    fleet.objects
      .filter(isProject)
      .flatMap((placed) =>
        [
          ...destinationProblems(placed.object, [
            context.argocdNamespace,
            context.platformNamespace,
            ...tenants.map(namespaceOf),
          ]),
          ...clusterKindProblems(placed.object, new Set(["/Namespace"])),
          ...whitelistProblems(placed.object, PLATFORM_NAMESPACED_KINDS),
        ].map((message) => ({ at: placed, message })),
      ),
}
