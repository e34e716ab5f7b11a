import { MANAGED_BY_LABEL, PART_OF_LABEL, TENANT_LABEL } from "@ppi/config"
import { field, isRecord, type KubeObject, type ObjectRule } from "../kube-object.ts"
import { containersOf, onPods } from "../pod-spec.ts"

/** `repo[:tag][@sha256:…]` → is it pinned? A digest pins; otherwise a tag other than `latest` does. */
const imagePinProblem = (image: string): string | undefined => {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined
  const name = image.split("@")[0] ?? image
  const lastSlash = name.lastIndexOf("/")
  const colon = name.indexOf(":", lastSlash + 1)
  if (colon === -1) return `image ${image} has no tag`
  if (name.slice(colon + 1) === "latest") return `image ${image} uses latest`
  return undefined
}

export const imagesPinned: ObjectRule = {
  id: "hygiene/image-pinned",
  description: "Every image is pinned to a version (a tag other than latest, or a digest)",
  check: onPods((pod) =>
    containersOf(pod).flatMap(({ name, container }) => {
      const problem = typeof container.image === "string" ? imagePinProblem(container.image) : "no image"
      return problem === undefined ? [] : [`container ${name}: ${problem}`]
    }),
  ),
}

export const resourcesSet: ObjectRule = {
  id: "hygiene/requests-and-limits",
  description: "Every container requests and limits cpu and memory",
  check: onPods((pod) =>
    containersOf(pod).flatMap(({ name, container }) =>
      ["requests", "limits"].flatMap((bound) =>
        ["cpu", "memory"]
          .filter((resource) => field(container, "resources", bound, resource) === undefined)
          .map((resource) => `container ${name}: no ${resource} ${bound}`),
      ),
    ),
  ),
}

const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet"])

export const probesSet: ObjectRule = {
  id: "hygiene/probes",
  description: "Long-running containers have liveness and readiness probes",
  check: onPods((pod, object) =>
    LONG_RUNNING.has(object.kind)
      ? containersOf(pod)
          .filter(({ kind }) => kind === "containers")
          .flatMap(({ name, container }) =>
            ["livenessProbe", "readinessProbe"]
              .filter((probe) => container[probe] === undefined)
              .map((probe) => `container ${name}: no ${probe}`),
          )
      : [],
  ),
}

export const readOnlyRoot: ObjectRule = {
  id: "hygiene/read-only-root-filesystem",
  description: "Every container has a read-only root filesystem",
  check: onPods((pod) =>
    containersOf(pod)
      .filter(({ container }) => field(container, "securityContext", "readOnlyRootFilesystem") !== true)
      .map(({ name }) => `container ${name}: readOnlyRootFilesystem is not true`),
  ),
}

export const noTokenAutomount: ObjectRule = {
  id: "hygiene/no-token-automount",
  description: "Pods and ServiceAccounts do not automount API tokens",
  check: (object) => {
    if (object.kind === "ServiceAccount")
      return object.automountServiceAccountToken === false ? [] : ["automountServiceAccountToken is not false"]
    return onPods((pod) =>
      pod.automountServiceAccountToken === false ? [] : ["pod: automountServiceAccountToken is not false"],
    )(object)
  },
}

const TENANT_LABELS = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  MANAGED_BY_LABEL,
  PART_OF_LABEL,
  TENANT_LABEL,
] as const

/** Every object carries these labels (non-empty). */
export const requiredLabelsRule = (keys: ReadonlyArray<string>): ObjectRule => ({
  id: "hygiene/required-labels",
  description: `Objects carry the labels ${keys.join(", ")}`,
  check: (object) => keys.filter((key) => !object.metadata.labels?.[key]).map((key) => `missing label ${key}`),
})

export const requiredLabels = requiredLabelsRule(TENANT_LABELS)

export const noNodePortOrLoadBalancer: ObjectRule = {
  id: "mtb/no-nodeport-or-loadbalancer",
  description: "Services are neither NodePort nor LoadBalancer",
  check: (object) => {
    const type = field(object, "spec", "type")
    return object.kind === "Service" && (type === "NodePort" || type === "LoadBalancer") ? [`Service type ${type}`] : []
  },
}

const QUOTA_KEYS: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["cpu", ["requests.cpu", "limits.cpu"]],
  ["memory", ["requests.memory", "limits.memory"]],
  ["storage", ["requests.storage"]],
  ["object counts", ["pods", "services", "persistentvolumeclaims", "configmaps", "secrets"]],
]

/** Every `spec.hard` key a complete tenant quota sets. */
export const requiredQuotaKeys: ReadonlyArray<string> = QUOTA_KEYS.flatMap(([, keys]) => keys)

export const resourceQuotaComplete: ObjectRule = {
  id: "mtb/quota-complete",
  description: "A ResourceQuota covers cpu, memory, storage and object counts",
  check: (object) => {
    if (object.kind !== "ResourceQuota") return []
    const hard = field(object, "spec", "hard")
    const keys = isRecord(hard) ? Object.keys(hard) : []
    return QUOTA_KEYS.flatMap(([what, required]) =>
      required.filter((key) => !keys.includes(key)).map((key) => `quota on ${what} misses ${key}`),
    )
  },
}

/** Labels the selector of a PDB matches, for the replicated-workload check. */
export const selectorMatches = (selector: unknown, labels: Readonly<Record<string, unknown>>): boolean => {
  const matchLabels = field(selector, "matchLabels")
  return (
    isRecord(matchLabels) &&
    Object.keys(matchLabels).length > 0 &&
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value)
  )
}

export const replicasOf = (deployment: KubeObject, all: ReadonlyArray<KubeObject>): number => {
  const hpa = all.find(
    (object) =>
      object.kind === "HorizontalPodAutoscaler" &&
      field(object, "spec", "scaleTargetRef", "name") === deployment.metadata.name,
  )
  const fromHpa = field(hpa, "spec", "minReplicas")
  const replicas = field(deployment, "spec", "replicas")
  return typeof fromHpa === "number" ? fromHpa : typeof replicas === "number" ? replicas : 1
}

export const podLabelsOf = (object: KubeObject): Readonly<Record<string, unknown>> => {
  const labels = field(object, "spec", "template", "metadata", "labels")
  return isRecord(labels) ? labels : {}
}
