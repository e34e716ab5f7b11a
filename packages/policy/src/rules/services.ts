import { field, isRecord, type KubeObject, list } from "../kube-object.ts"
import type { Placed } from "../tree/model.ts"
import { ofKind, perObject, type TreeRule } from "../tree/rule.ts"

/** Services and Ingresses judged by where they lead: only to the tenant's own pods. */
const isService = (placed: Placed) => placed.object.kind === "Service"

const noExternalName = perObject(
  "service/no-external-name",
  "No ExternalName Service (a DNS alias to anything, another tenant's or the platform's services included)",
  (placed) =>
    isService(placed) &&
    (field(placed.object, "spec", "type") === "ExternalName" ||
      field(placed.object, "spec", "externalName") !== undefined)
      ? [`leads to ${String(field(placed.object, "spec", "externalName"))}`]
      : [],
)

const noExternalIps = perObject(
  "service/no-external-ips",
  "No externalIPs (they capture traffic to those addresses cluster-wide, CVE-2020-8554)",
  (placed) =>
    isService(placed) && list(field(placed.object, "spec", "externalIPs")).length > 0
      ? [`claims externalIPs ${list(field(placed.object, "spec", "externalIPs")).join(", ")}`]
      : [],
)

const serviceSelector = perObject(
  "service/selector",
  "A Service selects pods of its own namespace (a selector-less Service leads wherever its endpoints say)",
  (placed) => {
    if (!isService(placed)) return []
    const selector = field(placed.object, "spec", "selector")
    return isRecord(selector) && Object.keys(selector).length > 0 ? [] : ["has no selector"]
  },
)

const backendsOf = (ingress: KubeObject): ReadonlyArray<unknown> => [
  ...(field(ingress, "spec", "defaultBackend") === undefined ? [] : [field(ingress, "spec", "defaultBackend")]),
  ...list(field(ingress, "spec", "rules")).flatMap((rule) =>
    list(field(rule, "http", "paths")).map((path) => field(path, "backend")),
  ),
]

const ingressBackends = perObject(
  "ingress/backend",
  "An Ingress leads only to Services its own folder defines, in its namespace",
  (placed, folder) => {
    if (placed.object.kind !== "Ingress") return []
    const services = ofKind(folder, "Service")
      .filter((service) => service.namespace === placed.namespace)
      .map((service) => service.object.metadata.name)
    return backendsOf(placed.object).flatMap((backend) => {
      if (field(backend, "resource") !== undefined) return ["has a resource backend"]
      const name = field(backend, "service", "name")
      return typeof name === "string" && services.includes(name)
        ? []
        : [`leads to service ${String(name)}, which is not a Service of ${String(placed.namespace)} in this folder`]
    })
  },
)

export const ingressClass = perObject(
  "ingress/class",
  "An Ingress uses the platform's ingress class",
  (placed, _folder, context) => {
    if (placed.object.kind !== "Ingress") return []
    const name = field(placed.object, "spec", "ingressClassName")
    if (typeof name !== "string") return ["has no ingressClassName"]
    return context.ingressClass === undefined || name === context.ingressClass
      ? []
      : [`uses ingress class ${name}, not ${context.ingressClass}`]
  },
)

/** Hosts an Ingress serves: its rules' and its TLS section's. */
export const hostsOf = (ingress: KubeObject): ReadonlyArray<string> => [
  ...new Set([
    ...list(field(ingress, "spec", "rules")).map((rule) => String(field(rule, "host") ?? "")),
    ...list(field(ingress, "spec", "tls")).flatMap((tls) => list(field(tls, "hosts")).map(String)),
  ]),
]

const ROUTER = "traefik.ingress.kubernetes.io/router"

/**
 * Annotations are instructions to the ingress controller, cert-manager and ExternalDNS: only the
 * four synth writes, with its values (a `router.middlewares` could pull in another namespace's
 * middleware, a DNS annotation could publish a name the Ingress does not serve).
 */
const ingressAnnotations = perObject(
  "ingress/annotations",
  "An Ingress carries only synth's annotations: its issuer, its own hostnames for DNS, TLS on websecure",
  (placed, _folder, context) => {
    if (placed.object.kind !== "Ingress") return []
    const annotations = placed.object.metadata.annotations ?? {}
    const hosts = [...hostsOf(placed.object)].sort().join(",")
    const expected: Readonly<Record<string, (value: string) => boolean>> = {
      "cert-manager.io/cluster-issuer": (value) =>
        context.clusterIssuer === undefined || value === context.clusterIssuer,
      "external-dns.alpha.kubernetes.io/hostname": (value) => value.split(",").sort().join(",") === hosts,
      [`${ROUTER}.entrypoints`]: (value) => value === "websecure",
      [`${ROUTER}.tls`]: (value) => value === "true",
    }
    return Object.entries(annotations).flatMap(([key, value]) => {
      const check = expected[key]
      if (check === undefined) return [`sets annotation ${key}`]
      return check(String(value)) ? [] : [`sets ${key} to ${String(value)}`]
    })
  },
)

export const serviceRules: ReadonlyArray<TreeRule> = [
  noExternalName,
  noExternalIps,
  serviceSelector,
  ingressBackends,
  ingressClass,
  ingressAnnotations,
]
