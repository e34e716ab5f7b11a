import {
  CREDENTIALS_READER,
  CREDENTIALS_SECRET,
  generatedSecretOf,
  POSTGRES_ADMIN_SECRET,
  REDIS_ADMIN_SECRET,
} from "@ppi/config"
import { field, list } from "../kube-object.ts"
import { containersOf, podSpecOf } from "../pod-spec.ts"
import { namespaceRole } from "../tree/placement.ts"
import { ofKind, perObject, type TreeRule } from "../tree/rule.ts"

/** Pods judged by the identity and the secrets they get, and where their images come from. */

/**
 * The tenant's workload runs as a ServiceAccount of its own app (or the namespace default); the
 * `credentials-reader` account exists only for the secret store, and platform Jobs run as the
 * platform namespace's default account.
 */
const podServiceAccount = perObject(
  "pod/service-account",
  "Pods run as their app's ServiceAccount, never as credentials-reader; platform Jobs as the default one",
  (placed, folder, context) => {
    const pod = podSpecOf(placed.object)
    const role = namespaceRole(placed, context)
    // Anywhere else, tree/namespace already refuses the object.
    if (pod === undefined || role === "other") return []
    const account = String(pod.serviceAccountName ?? pod.serviceAccount ?? "default")
    if (pod.serviceAccount !== undefined && pod.serviceAccount !== pod.serviceAccountName)
      return [`serviceAccount ${String(pod.serviceAccount)} differs from serviceAccountName`]
    if (role === "platform") return account === "default" ? [] : [`runs as ServiceAccount ${account}`]
    if (account === CREDENTIALS_READER) return [`runs as ${CREDENTIALS_READER}, the secret store's identity`]
    const own = ofKind(folder, "ServiceAccount")
      .filter((sa) => sa.component === placed.component && sa.namespace === placed.namespace)
      .map((sa) => sa.object.metadata.name)
    return account === "default" || own.includes(account)
      ? []
      : [`runs as ServiceAccount ${account}, not one of its app`]
  },
)

const secretRefs = (pod: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  [
    ...containersOf(pod).flatMap(({ container }) => [
      ...list(container.env).map((env) => field(env, "valueFrom", "secretKeyRef", "name")),
      ...list(container.envFrom).map((from) => field(from, "secretRef", "name")),
    ]),
    ...list(pod.volumes).flatMap((volume) => [
      field(volume, "secret", "secretName"),
      ...list(field(volume, "projected", "sources")).map((source) => field(source, "secret", "name")),
    ]),
    ...list(pod.imagePullSecrets).map((ref) => field(ref, "name")),
  ]
    .filter((name): name is string => name !== undefined)
    .map(String)

const podSecrets = perObject(
  "pod/secret-refs",
  "Pods read only their own secrets: the tenant's api-credentials; in the platform namespace, the admin and the tenant's generated ones",
  (placed, _folder, context) => {
    const pod = podSpecOf(placed.object)
    const role = namespaceRole(placed, context)
    if (pod === undefined || role === "other") return []
    const allowed =
      role === "tenant"
        ? [CREDENTIALS_SECRET]
        : [POSTGRES_ADMIN_SECRET, REDIS_ADMIN_SECRET, generatedSecretOf(placed.tenant)]
    return [...new Set(secretRefs(pod))].filter((name) => !allowed.includes(name)).map((name) => `reads Secret ${name}`)
  },
)

const repositoryOf = (image: string): string => {
  const name = image.split("@")[0] ?? image
  const colon = name.indexOf(":", name.lastIndexOf("/") + 1)
  return colon === -1 ? name : name.slice(0, colon)
}

const imageRegistry = perObject(
  "pod/image-repository",
  "Images come from the platform's repositories: the API's in the tenant namespace, the database clients' in platform Jobs",
  (placed, _folder, context) => {
    const pod = podSpecOf(placed.object)
    const role = namespaceRole(placed, context)
    const allowed = role === "tenant" ? context.apiImages : role === "platform" ? context.provisioningImages : undefined
    if (pod === undefined || allowed === undefined) return []
    return containersOf(pod)
      .filter(({ container }) => !allowed.includes(repositoryOf(String(container.image ?? ""))))
      .map(
        ({ name, container }) =>
          `container ${name}: image ${String(container.image)} is not from ${allowed.join(" or ")}`,
      )
  },
)

/**
 * Where and how pods are scheduled is the platform's: tolerations could put a tenant on the
 * control plane, a priority class evict other tenants, a runtime class or scheduler escape the
 * defaults. Synth only spreads replicas (topologySpreadConstraints).
 */
const SCHEDULING = [
  "nodeName",
  "nodeSelector",
  "affinity",
  "tolerations",
  "priorityClassName",
  "priority",
  "preemptionPolicy",
  "runtimeClassName",
  "schedulerName",
] as const

const podScheduling = perObject(
  "pod/scheduling",
  "Pods set no node, toleration, affinity, priority, runtime class or scheduler",
  ({ object }) => {
    const pod = podSpecOf(object)
    return pod === undefined ? [] : SCHEDULING.filter((key) => pod[key] !== undefined).map((key) => `sets ${key}`)
  },
)

export const podRules: ReadonlyArray<TreeRule> = [podServiceAccount, podSecrets, imageRegistry, podScheduling]
