import { IN_CLUSTER } from "@ppi/config"
import { field, isRecord, type KubeObject, list, type TenantRule } from "../kube-object.ts"
import { isClusterScoped } from "../scope.ts"
import { podLabelsOf, replicasOf, selectorMatches } from "./workload-hygiene.ts"

export const namespacedOnly: TenantRule = {
  id: "mtb/no-cluster-scoped",
  description:
    "A tenant has no cluster-scoped objects besides its own Namespace (by the kind's scope, not its namespace field)",
  check: (objects, tenant) =>
    objects
      .filter((object) => isClusterScoped(object) && !(object.kind === "Namespace" && object.metadata.name === tenant))
      .map((object) => `${object.kind}/${object.metadata.name} is cluster-scoped`),
}

export const quotaPresent: TenantRule = {
  id: "mtb/quota-present",
  description: "The tenant namespace has a ResourceQuota and a LimitRange",
  check: (objects, tenant) =>
    (["ResourceQuota", "LimitRange"] as const)
      .filter((kind) => !objects.some((object) => object.kind === kind && object.metadata.namespace === tenant))
      .map((kind) => `no ${kind} in namespace ${tenant}`),
}

const isDefaultDeny = (object: KubeObject): boolean => {
  const spec = field(object, "spec")
  const selector = field(spec, "podSelector")
  const types = list(field(spec, "policyTypes"))
  return (
    object.kind === "NetworkPolicy" &&
    isRecord(selector) &&
    Object.keys(selector).length === 0 &&
    types.includes("Ingress") &&
    types.includes("Egress") &&
    list(field(spec, "ingress")).length === 0 &&
    list(field(spec, "egress")).length === 0
  )
}

export const defaultDeny: TenantRule = {
  id: "mtb/default-deny",
  description: "The tenant namespace has a NetworkPolicy denying all ingress and egress by default",
  check: (objects, tenant) =>
    objects.some((object) => isDefaultDeny(object) && object.metadata.namespace === tenant)
      ? []
      : [`no default-deny NetworkPolicy in namespace ${tenant}`],
}

export const pdbForReplicated: TenantRule = {
  id: "hygiene/pdb-for-replicated",
  description: "Every Deployment running more than one replica is covered by a PodDisruptionBudget",
  check: (objects) =>
    objects
      .filter((object) => object.kind === "Deployment" && replicasOf(object, objects) > 1)
      .filter(
        (deployment) =>
          !objects.some(
            (object) =>
              object.kind === "PodDisruptionBudget" &&
              object.metadata.namespace === deployment.metadata.namespace &&
              selectorMatches(field(object, "spec", "selector"), podLabelsOf(deployment)),
          ),
      )
      .map((deployment) => `Deployment/${deployment.metadata.name} is replicated but has no PodDisruptionBudget`),
}

/**
 * Argo CD objects stay inside their tenant: the tenant's AppProject may only deploy into the
 * tenant namespace of the in-cluster server, allows no cluster-scoped kind, and every Application
 * of the tenant project targets that namespace.
 */
export const argoConfined: TenantRule = {
  id: "argocd/confined-to-tenant",
  description: "Every Argo CD Application of a tenant is confined to its AppProject and namespace",
  check: (objects, tenant) =>
    objects.flatMap((object): ReadonlyArray<string> => {
      if (object.kind === "AppProject" && object.metadata.name === tenant) {
        const destinations = list(field(object, "spec", "destinations")).filter(isRecord)
        const whitelist = list(field(object, "spec", "clusterResourceWhitelist"))
        return [
          ...destinations
            .filter(
              (destination) => destination.namespace !== tenant || (destination.server ?? IN_CLUSTER) !== IN_CLUSTER,
            )
            .map(
              (destination) =>
                `AppProject/${tenant} allows destination ${String(destination.server)} ${String(destination.namespace)}`,
            ),
          ...(destinations.length === 0 ? [`AppProject/${tenant} has no destination`] : []),
          ...(whitelist.length > 0 ? [`AppProject/${tenant} allows cluster-scoped kinds`] : []),
          ...list(field(object, "spec", "sourceRepos"))
            .filter((repo) => typeof repo !== "string" || repo.includes("*"))
            .map((repo) => `AppProject/${tenant} allows source ${String(repo)}`),
        ]
      }
      if (object.kind === "Application" && field(object, "spec", "project") === tenant) {
        const destination = field(object, "spec", "destination")
        const namespace = field(destination, "namespace")
        const server = field(destination, "server") ?? IN_CLUSTER
        return namespace === tenant && server === IN_CLUSTER
          ? []
          : [`Application/${object.metadata.name} deploys to ${String(server)} ${String(namespace)}`]
      }
      if (object.kind === "Application" && field(object, "spec", "project") === "default")
        return [`Application/${object.metadata.name} uses the default project`]
      return []
    }),
}
