import { type DeclaredResource, waitsFor } from "@ppi/cluster/src/testing/waits-for.ts"
import type { KubeObject } from "../control-plane/kube-api.ts"

export type { DeclaredResource }

/** One Kubernetes object, the resource that declares it, and the namespace it lands in when it names none. */
export interface Placed {
  readonly object: KubeObject
  readonly resource: string
  readonly defaultNamespace: string
}

/** Kinds in the order an installer applies them: definitions, namespaces, cluster-wide, config, workloads, custom resources. */
const RANK: Readonly<Record<string, number>> = {
  CustomResourceDefinition: 0,
  Namespace: 1,
  ClusterRole: 2,
  ClusterRoleBinding: 2,
  StorageClass: 2,
  IngressClass: 2,
  PriorityClass: 2,
  ServiceAccount: 3,
  Secret: 3,
  ConfigMap: 3,
  Role: 3,
  RoleBinding: 3,
  Service: 4,
  NetworkPolicy: 4,
  Deployment: 5,
  StatefulSet: 5,
  DaemonSet: 5,
}
const BUILTIN_GROUPS =
  /^(v1|apps\/v1|rbac\.authorization\.k8s\.io\/v1|networking\.k8s\.io\/v1|storage\.k8s\.io\/v1|policy\/v1|batch\/v1|admissionregistration\.k8s\.io\/v1|apiextensions\.k8s\.io\/v1)$/
export const rankOf = (object: KubeObject) => RANK[object.kind] ?? (BUILTIN_GROUPS.test(object.apiVersion) ? 4 : 6)

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "IngressClass",
  "PriorityClass",
  "PersistentVolume",
  "APIService",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
])

/** The CRDs among `placed` that define `object`'s kind at its version. */
const definitionsOf = (object: KubeObject, placed: ReadonlyArray<Placed>) => {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion]
  return placed.filter(({ object: crd }) => {
    const spec = crd.spec as
      | { group?: string; scope?: string; names?: { kind?: string }; versions?: ReadonlyArray<{ name?: string }> }
      | undefined
    return (
      crd.kind === "CustomResourceDefinition" &&
      spec?.group === group &&
      spec?.names?.kind === object.kind &&
      (spec.versions ?? []).some(({ name }) => name === version)
    )
  })
}

/** The namespace the object lands in; undefined for a cluster-scoped one. */
const namespaceOf = ({ object, defaultNamespace }: Placed, placed: ReadonlyArray<Placed>) => {
  const crdScope = (definitionsOf(object, placed)[0]?.object.spec as { scope?: string } | undefined)?.scope
  if (CLUSTER_SCOPED.has(object.kind) || crdScope === "Cluster") return undefined
  return object.metadata.namespace ?? defaultNamespace
}

const describe = (item: Placed, placed: ReadonlyArray<Placed>) =>
  `${item.object.kind}/${namespaceOf(item, placed) ?? ""}/${item.object.metadata.name}`

/**
 * The objects in an order that applies each after every object of the resources it waits for
 * (topologically, as the engine would), the kind ranking deciding among those free to go, then
 * declaration order. Objects of one resource (a manifest file) have no declared order of their
 * own: the ranking puts their definitions and namespaces first, as Pulumi's yaml/v2 does.
 */
export const applyOrder = <A extends Placed>(
  placed: ReadonlyArray<A>,
  resources: ReadonlyArray<DeclaredResource>,
): ReadonlyArray<A> => {
  const closure = waitsFor(resources)
  const byResource = new Map<string, Array<number>>()
  placed.forEach((item, index) => {
    byResource.set(item.resource, [...(byResource.get(item.resource) ?? []), index])
  })
  // index → how many objects it still waits for; index → the objects waiting for it.
  const waiting = placed.map(() => 0)
  const dependents = placed.map((): Array<number> => [])
  placed.forEach((item, index) => {
    for (const urn of closure.get(item.resource) ?? [])
      for (const blocker of byResource.get(urn) ?? []) {
        waiting[index] = (waiting[index] ?? 0) + 1
        dependents[blocker]?.push(index)
      }
  })
  const free = new Set(placed.flatMap((_, index) => (waiting[index] === 0 ? [index] : [])))
  const order: Array<A> = []
  while (free.size > 0) {
    const next = [...free].reduce((best, index) =>
      rankOf((placed[index] as A).object) < rankOf((placed[best] as A).object) ||
      (rankOf((placed[index] as A).object) === rankOf((placed[best] as A).object) && index < best)
        ? index
        : best,
    )
    free.delete(next)
    order.push(placed[next] as A)
    for (const dependent of dependents[next] ?? []) {
      waiting[dependent] = (waiting[dependent] ?? 0) - 1
      if (waiting[dependent] === 0) free.add(dependent)
    }
  }
  if (order.length < placed.length) throw new Error("dependency cycle among the declared objects")
  return order
}

/**
 * What the API server needs before an object — its namespace, the CRD that defines its kind — when
 * another resource declares that and the object's resource does not wait for it. Empty means no
 * ordering of the declared graph can apply an object too early, whatever the kind ranking does.
 */
export const undeclaredNeeds = (
  placed: ReadonlyArray<Placed>,
  resources: ReadonlyArray<DeclaredResource>,
): ReadonlyArray<string> => {
  const closure = waitsFor(resources)
  return placed.flatMap((item) => {
    const namespace = namespaceOf(item, placed)
    const needs = [
      ...definitionsOf(item.object, placed),
      ...placed.filter(
        ({ object }) => namespace !== undefined && object.kind === "Namespace" && object.metadata.name === namespace,
      ),
    ]
    return needs
      .filter((needed) => needed.resource !== item.resource && !closure.get(item.resource)?.has(needed.resource))
      .map((needed) => `${describe(item, placed)} needs ${describe(needed, placed)} but does not wait for it`)
  })
}
