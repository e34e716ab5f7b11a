import { field, isRecord, list } from "../kube-object.ts"
import type { TreeContext } from "../tree/context.ts"
import { perObject, type TreeRule } from "../tree/rule.ts"

/**
 * NetworkPolicies judged by what they open. Policies add up, so one open rule undoes the default
 * deny: every rule must name its peers (an empty `from`/`to` is everyone), and each peer must be
 * one synth opens — the ingress controller's namespace in; DNS, the data services (pods of the
 * data namespace, or the managed services' ranges) out — or the tenant's own pods.
 */
const NAMESPACE_NAME = "kubernetes.io/metadata.name"

const namespaceNamed = (selector: unknown): string | undefined => {
  if (!isRecord(selector) || field(selector, "matchExpressions") !== undefined) return undefined
  const labels = field(selector, "matchLabels")
  if (!isRecord(labels) || Object.keys(labels).length !== 1) return undefined
  const name = labels[NAMESPACE_NAME]
  return typeof name === "string" ? name : undefined
}

const isNonEmptySelector = (selector: unknown): boolean =>
  isRecord(selector) &&
  ((isRecord(selector.matchLabels) && Object.keys(selector.matchLabels).length > 0) ||
    list(selector.matchExpressions).length > 0)

const isOwnPods = (peer: Readonly<Record<string, unknown>>): boolean =>
  Object.keys(peer).length === 1 && peer.podSelector !== undefined

const rulesOf = (spec: unknown, direction: "ingress" | "egress") =>
  list(field(spec, direction)).map((rule, i) => ({
    i,
    peers: list(field(rule, direction === "ingress" ? "from" : "to")),
  }))

const ingressFrom = perObject(
  "network/ingress-from",
  "Ingress is open only to the ingress controller's namespace (and the tenant's own pods)",
  ({ object }, _folder, context) =>
    object.kind !== "NetworkPolicy"
      ? []
      : rulesOf(object.spec, "ingress").flatMap(({ i, peers }) =>
          peers.length === 0
            ? [`ingress rule ${i} allows every source`]
            : peers.flatMap((peer) =>
                isRecord(peer) &&
                (isOwnPods(peer) ||
                  (namespaceNamed(peer.namespaceSelector) === context.ingressNamespace && peer.ipBlock === undefined))
                  ? []
                  : [`ingress rule ${i} allows ${JSON.stringify(peer)}`],
              ),
        ),
)

const isDns = (peer: Readonly<Record<string, unknown>>): boolean =>
  namespaceNamed(peer.namespaceSelector) === "kube-system" &&
  field(peer, "podSelector", "matchLabels", "k8s-app") === "kube-dns"

/** The data namespace, and within it at least the service's pods (more labels select fewer pods). */
const isDataService = (peer: Readonly<Record<string, unknown>>, context: TreeContext): boolean => {
  const namespace = namespaceNamed(peer.namespaceSelector)
  const labels = field(peer, "podSelector", "matchLabels")
  return context.dataPeers.some(
    (data) =>
      data.namespace === namespace &&
      isNonEmptySelector(peer.podSelector) &&
      Object.entries(data.podLabels ?? {}).every(([key, value]) => isRecord(labels) && labels[key] === value),
  )
}

export const egressTo = perObject(
  "network/egress-to",
  "Egress reaches only DNS, the data services' pods, address ranges (see network/ip-blocks) and the tenant's own pods",
  ({ object }, _folder, context) =>
    object.kind !== "NetworkPolicy"
      ? []
      : rulesOf(object.spec, "egress").flatMap(({ i, peers }) =>
          peers.length === 0
            ? [`egress rule ${i} allows every destination`]
            : peers.flatMap((peer) =>
                isRecord(peer) &&
                (isOwnPods(peer) ||
                  isDns(peer) ||
                  isDataService(peer, context) ||
                  (Object.keys(peer).length === 1 && peer.ipBlock !== undefined))
                  ? []
                  : [`egress rule ${i} allows ${JSON.stringify(peer)}`],
              ),
        ),
)

const ipv4 = (text: string): number | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0)
}

/** `10.20.0.0/24` → [first, last] address, or undefined when it is not an IPv4 range. */
export const rangeOf = (cidr: string): readonly [number, number] | undefined => {
  const [address = "", bits = ""] = cidr.split("/")
  const start = ipv4(address)
  const prefix = Number(bits)
  if (start === undefined || !/^\d{1,2}$/.test(bits) || prefix > 32) return undefined
  const size = 2 ** (32 - prefix)
  const first = Math.floor(start / size) * size
  return [first, first + size - 1]
}

const within = (cidr: string, outer: ReadonlyArray<string>): boolean => {
  const inner = rangeOf(cidr)
  return (
    inner !== undefined &&
    outer.some((range) => {
      const bounds = rangeOf(range)
      return bounds !== undefined && bounds[0] <= inner[0] && inner[1] <= bounds[1]
    })
  )
}

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]

const ipBlocks = perObject(
  "network/ip-blocks",
  "Address ranges are only the managed data services' (private ranges when the platform is unknown): never public",
  ({ object }, _folder, context) =>
    object.kind !== "NetworkPolicy"
      ? []
      : (["ingress", "egress"] as const).flatMap((direction) =>
          rulesOf(object.spec, direction).flatMap(({ i, peers }) =>
            peers.flatMap((peer) => {
              const cidr = field(peer, "ipBlock", "cidr")
              if (cidr === undefined) return []
              const allowed = context.dataCidrs ?? PRIVATE
              return typeof cidr === "string" && within(cidr, allowed)
                ? []
                : [`${direction} rule ${i} opens ${String(cidr)}, outside ${allowed.join(", ") || "any allowed range"}`]
            }),
          ),
        ),
)

export const networkRules: ReadonlyArray<TreeRule> = [ingressFrom, egressTo, ipBlocks]
