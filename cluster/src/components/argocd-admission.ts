import {
  ARGOCD_NAMESPACE,
  IN_CLUSTER,
  PLATFORM_PROJECT,
  type Platform,
  platformProject,
  reservedNamespaces,
  rootApplication,
  TENANT_LABEL,
} from "@ppi/config"
import { TENANT_SLOTS } from "@ppi/policy"
import type { AdmissionValidation, TenantAdmissionPolicy } from "./tenant-admission.ts"

/**
 * Argo CD's own objects, bounded in the cluster: whatever the deploy branch says (signed or not,
 * checked by the policy engine or not), Argo CD can only write AppProjects and Applications of a
 * tenant's shape into its namespace, and only tenant Namespaces. The `platform` project has exactly the spec `cluster/`
 * declares (so only `pulumi up`, which owns this policy too, can change it) and `default` stays
 * empty. No identity is trusted: Argo CD applies what the branch says with its own rights, and a
 * tenant project or Application is the same object whoever writes it.
 */
const write = ["CREATE", "UPDATE"]
const quoted = (values: ReadonlyArray<string>) => `[${values.map((value) => `'${value}'`).join(", ")}]`
const empty = (path: string) => `(!has(${path}) || size(${path}) == 0)`
/** A `{group, kind}` entry as `group/kind` (an absent group is the core group). */
const kindOf = (entry: string) => `((has(${entry}.group) ? ${entry}.group : '') + '/' + ${entry}.kind)`
const kindsWithin = (path: string, allowed: ReadonlyArray<string>) =>
  `${empty(path)} || ${path}.all(k, ${kindOf("k")} in ${quoted(allowed)})`

const TENANT_KINDS = (TENANT_SLOTS.app ?? []).map((slot) => `${slot.group}/${slot.kind}`)
const platformKinds = (platform: Platform) =>
  platformProject(platform).spec.namespaceResourceWhitelist.map((entry) => `${entry.group}/${entry.kind}`)

/** A name that is not a namespace the platform owns (`kube-*` included). */
const notReserved = (platform: Platform, name: string) => {
  const reserved = reservedNamespaces(platform)
  const prefixes = reserved.filter((entry) => entry.endsWith("*")).map((entry) => entry.slice(0, -1))
  return [
    `!(${name} in ${quoted([...reserved.filter((entry) => !entry.endsWith("*")), ARGOCD_NAMESPACE, platform.platformNamespace])})`,
    ...prefixes.map((prefix) => `!${name}.startsWith('${prefix}')`),
  ].join(" && ")
}

const isPlatform = `object.metadata.name == '${PLATFORM_PROJECT}'`
const isDefault = "object.metadata.name == 'default'"
const isTenantProject = `!(${isPlatform}) && !(${isDefault})`

/** Exactly these key IDs, when the platform lists any. */
const signatureValidation = (platform: Platform): ReadonlyArray<AdmissionValidation> => {
  const keys = platform.deploy.signingKeys.map(({ keyID }) => keyID)
  if (keys.length === 0) return []
  const path = "object.spec.signatureKeys"
  return [
    {
      expression: `${isDefault} || (has(${path}) && ${path}.all(k, k.keyID in ${quoted(keys)}) && ${quoted(keys)}.all(id, ${path}.exists(k, k.keyID == id)))`,
      message: `an Argo CD AppProject requires exactly the deploy keys ${keys.join(", ")} of a commit`,
    },
  ]
}

/** The platform project's destinations: exactly the namespace patterns `cluster/` declares. */
const platformDestinations = (platform: Platform) => {
  const patterns = platformProject(platform).spec.destinations.map((destination) => destination.namespace)
  const path = "object.spec.destinations"
  return `has(${path}) && size(${path}) == ${patterns.length} && ${path}.all(d, has(d.server) && d.server == '${IN_CLUSTER}' && !has(d.name) && has(d.namespace) && d.namespace in ${quoted(patterns)}) && ${quoted(patterns)}.all(n, ${path}.exists(d, d.namespace == n))`
}

const projectsPolicy = (platform: Platform): TenantAdmissionPolicy => {
  const repo = platform.deploy.repoURL
  const destinations = "object.spec.destinations"
  return {
    name: "ppi-argocd-projects",
    description: "Argo CD AppProjects: the platform's as cluster/ declares it, default empty, every other a tenant's",
    scope: "argocd-namespace",
    rules: [{ apiGroups: ["argoproj.io"], resources: ["appprojects"], operations: write }],
    validations: [
      {
        expression: `${empty("object.spec.roles")} && ${empty("object.spec.sourceNamespaces")} && ${empty("object.spec.destinationServiceAccounts")}`,
        message: "an Argo CD AppProject grants no roles, source namespaces or impersonated service accounts",
      },
      {
        expression: `!(${isDefault}) || (${empty("object.spec.sourceRepos")} && ${empty(destinations)} && ${empty("object.spec.clusterResourceWhitelist")} && ${empty("object.spec.namespaceResourceWhitelist")})`,
        message: "the default AppProject stays empty",
      },
      {
        expression: `${isDefault} || (has(object.spec.sourceRepos) && size(object.spec.sourceRepos) > 0 && object.spec.sourceRepos.all(r, r == '${repo}'))`,
        message: `an Argo CD AppProject sources only the deploy repository ${repo}`,
      },
      {
        expression: `!(${isPlatform}) || (${platformDestinations(platform)})`,
        message: "the platform AppProject reaches exactly the namespaces cluster/ declares for it",
      },
      {
        expression: `!(${isPlatform}) || ((${kindsWithin("object.spec.clusterResourceWhitelist", ["/Namespace"])}) && has(object.spec.namespaceResourceWhitelist) && size(object.spec.namespaceResourceWhitelist) > 0 && (${kindsWithin("object.spec.namespaceResourceWhitelist", platformKinds(platform))}))`,
        message: "the platform AppProject creates only Namespaces cluster-wide and only the platform's kinds",
      },
      {
        expression: `!(${isTenantProject}) || (${notReserved(platform, "object.metadata.name")})`,
        message:
          "an Argo CD AppProject other than platform and default is a tenant's, never named after a platform namespace",
      },
      {
        expression: `!(${isTenantProject}) || (has(${destinations}) && size(${destinations}) == 1 && ${destinations}.all(d, has(d.server) && d.server == '${IN_CLUSTER}' && !has(d.name) && has(d.namespace) && d.namespace == object.metadata.name))`,
        message: "a tenant's AppProject deploys only into its own namespace, on the in-cluster server",
      },
      {
        expression: `!(${isTenantProject}) || (${empty("object.spec.clusterResourceWhitelist")} && has(object.spec.namespaceResourceWhitelist) && size(object.spec.namespaceResourceWhitelist) > 0 && (${kindsWithin("object.spec.namespaceResourceWhitelist", TENANT_KINDS)}))`,
        message: "a tenant's AppProject allows no cluster-scoped kind and only the tenant workload's kinds",
      },
      ...signatureValidation(platform),
    ],
  }
}

const applicationsPolicy = (platform: Platform): TenantAdmissionPolicy => {
  const root = rootApplication(platform)
  const { repoURL, targetRevision } = root.spec.source
  const isRoot = `object.metadata.name == '${root.metadata.name}'`
  const project = "object.spec.project"
  const namespace = "object.spec.destination.namespace"
  const source = "object.spec.source"
  const directory = `${source}.directory`
  return {
    name: "ppi-argocd-applications",
    description:
      "Argo CD Applications: the root app as cluster/ declares it, every other a tenant's, from its own folder into its own namespace",
    scope: "argocd-namespace",
    rules: [{ apiGroups: ["argoproj.io"], resources: ["applications"], operations: write }],
    validations: [
      {
        expression: `!has(object.spec.sources) && !has(object.spec.sourceHydrator) && has(${source}) && ${source}.repoURL == '${repoURL}' && has(${source}.targetRevision) && ${source}.targetRevision == '${targetRevision}' && !has(${source}.helm) && !has(${source}.kustomize) && !has(${source}.plugin) && !has(${source}.chart)`,
        message: `an Argo CD Application reads plain manifests from ${repoURL} at ${targetRevision} only`,
      },
      {
        expression: `has(object.spec.destination.server) && object.spec.destination.server == '${IN_CLUSTER}' && !has(object.spec.destination.name) && has(${namespace})`,
        message: "an Argo CD Application deploys to the in-cluster server, into a namespace it names",
      },
      {
        expression: `${isRoot} ? (${project} == '${root.spec.project}' && ${namespace} == '${root.spec.destination.namespace}' && ${source}.path == '${root.spec.source.path}' && has(${directory}) && ${directory}.recurse == true && ${directory}.include == '${root.spec.source.directory.include}' && has(${directory}.exclude) && ${directory}.exclude == '${root.spec.source.directory.exclude}') : !has(${directory})`,
        message: `the root Application ${root.metadata.name} reads exactly what cluster/ declares; no other Application reads a directory source`,
      },
      {
        expression: `${isRoot} || (${project} == '${PLATFORM_PROJECT}' ? (${namespace} + '-platform' == object.metadata.name && ${source}.path == ${namespace} + '/platform') : (${project} == object.metadata.name && ${namespace} == object.metadata.name && ${source}.path == ${namespace} + '/app'))`,
        message:
          "a tenant's Application uses its own project, namespace and app folder (its platform Application: the platform project, <tenant>-platform, its platform folder)",
      },
      {
        expression: `${isRoot} || (${notReserved(platform, namespace)} && ${project} != 'default')`,
        message: "a tenant's Application never deploys into a platform namespace nor uses the default project",
      },
    ],
  }
}

/**
 * Argo CD marks everything it applies with its tracking annotation (cluster/ sets annotation
 * tracking). The platform project may create Namespaces; each one it creates must be a tenant's,
 * so that every tenant policy binds to it and Pod Security stays restricted: a hostile tree cannot
 * open an unlabelled namespace to run what the tenant policies would refuse.
 */
const TRACKING = "argocd.argoproj.io/tracking-id"
const namespacesPolicy = (): TenantAdmissionPolicy => ({
  name: "ppi-argocd-namespaces",
  description: "Namespaces Argo CD creates are tenant namespaces",
  scope: "tenant-namespaces",
  rules: [{ apiGroups: [""], resources: ["namespaces"], operations: write }],
  matchConditions: [
    {
      name: "applied-by-argo-cd",
      expression: `has(object.metadata.annotations) && '${TRACKING}' in object.metadata.annotations`,
    },
  ],
  validations: [
    {
      expression: `has(object.metadata.labels) && '${TENANT_LABEL}' in object.metadata.labels && object.metadata.labels['${TENANT_LABEL}'] == object.metadata.name && 'pod-security.kubernetes.io/enforce' in object.metadata.labels && object.metadata.labels['pod-security.kubernetes.io/enforce'] == 'restricted'`,
      message: `a Namespace Argo CD applies is a tenant's: ${TENANT_LABEL} set to its own name and Pod Security enforce=restricted`,
    },
  ],
})

export const argocdAdmissionPolicies = (platform: Platform): ReadonlyArray<TenantAdmissionPolicy> => [
  projectsPolicy(platform),
  applicationsPolicy(platform),
  namespacesPolicy(),
]
