import { field, isRecord, type KubeObject, list } from "./kube-object.ts"

const TEMPLATE_PATHS: Readonly<Record<string, ReadonlyArray<string>>> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
}

/** The pod spec of any workload kind, or undefined for everything else. */
export const podSpecOf = (object: KubeObject): Readonly<Record<string, unknown>> | undefined => {
  const path = TEMPLATE_PATHS[object.kind]
  if (path === undefined) return undefined
  const spec = field(object, ...path)
  return isRecord(spec) ? spec : {}
}

/** The metadata of the pods a workload creates (annotations such as AppArmor's live there). */
export const podMetadataOf = (object: KubeObject): Readonly<Record<string, unknown>> => {
  const path = TEMPLATE_PATHS[object.kind]
  if (path === undefined) return {}
  const metadata = field(object, ...path.slice(0, -1), "metadata")
  return isRecord(metadata) ? metadata : {}
}

export interface NamedContainer {
  readonly kind: "containers" | "initContainers" | "ephemeralContainers"
  readonly name: string
  readonly container: Readonly<Record<string, unknown>>
}

export const containersOf = (pod: Readonly<Record<string, unknown>>): ReadonlyArray<NamedContainer> =>
  (["initContainers", "containers", "ephemeralContainers"] as const).flatMap((kind) =>
    list(pod[kind])
      .filter(isRecord)
      .map((container) => ({ kind, name: String(container.name ?? "?"), container })),
  )

/** Builds an ObjectRule check over every pod spec: non-workloads pass. */
export const onPods =
  (check: (pod: Readonly<Record<string, unknown>>, object: KubeObject) => ReadonlyArray<string>) =>
  (object: KubeObject): ReadonlyArray<string> => {
    const pod = podSpecOf(object)
    return pod === undefined ? [] : check(pod, object)
  }
