import { CelScalar, celFunc, celMethod, run } from "@bufbuild/cel"
import { describe, expect, it } from "@effect/vitest"
import { decodePlatform, PLATFORM_FILE, type Platform, type PlatformInput } from "@ppi/config"
import { rangeOf } from "@ppi/policy"
import { Effect } from "effect"
import { readPlatformInput } from "../platform-file.ts"
import { type TenantAdmissionPolicy, tenantAdmissionPolicies } from "./tenant-admission.ts"

const platformInput = (await Effect.runPromise(readPlatformInput())) as PlatformInput

/**
 * The policies' CEL, evaluated by a conformant CEL implementation (not an API server): standard
 * CEL plus Kubernetes' `cidr(…).containsCIDR(…)`, emulated here for IPv4. What only an API server
 * proves — type-checking against the OpenAPI schema, binding by namespace labels — is left to the
 * e2e.
 */
const kubernetesCidr = [
  celFunc("cidr", [CelScalar.STRING], CelScalar.STRING, (cidr) => cidr),
  celMethod("containsCIDR", CelScalar.STRING, [CelScalar.STRING], CelScalar.BOOL, function (inner) {
    const outer = rangeOf(this)
    const candidate = rangeOf(inner)
    return outer !== undefined && candidate !== undefined && outer[0] <= candidate[0] && candidate[1] <= outer[1]
  }),
]

/** JSON → CEL values: objects become maps, integers CEL ints. */
const toCel = (value: unknown): any =>
  Array.isArray(value)
    ? value.map(toCel)
    : value !== null && typeof value === "object"
      ? new Map(Object.entries(value).map(([key, inner]) => [key, toCel(inner)]))
      : typeof value === "number" && Number.isInteger(value)
        ? BigInt(value)
        : value

const platformFor = (mode: "selfhosted" | "cloud"): Platform =>
  Effect.runSync(decodePlatform(PLATFORM_FILE, { ...platformInput, mode }))

/** What the API server would answer: the messages of the failing validations, or "not matched". */
const admit = (policy: TenantAdmissionPolicy, object: unknown, oldObject: unknown = null) => {
  const variables = { object: toCel(object), oldObject: toCel(oldObject) }
  const evaluate = (expression: string) => run(expression, variables, { funcs: kubernetesCidr })
  if (!(policy.matchConditions ?? []).every((condition) => evaluate(condition.expression) === true))
    return "not matched"
  return policy.validations.filter((validation) => evaluate(validation.expression) !== true).map((v) => v.message)
}

const policyNamed = (name: string, mode: "selfhosted" | "cloud" = "selfhosted") => {
  const policy = tenantAdmissionPolicies(platformFor(mode)).find((candidate) => candidate.name === name)
  if (policy === undefined) throw new Error(`no policy ${name}`)
  return policy
}

const service = (spec: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api", namespace: "acme" },
  spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { "app.kubernetes.io/name": "api" }, ...spec },
})

describe("ppi-tenant-services", () => {
  const policy = policyNamed("ppi-tenant-services")
  it("admits synth's ClusterIP Service (with its empty externalIPs)", () => {
    expect(admit(policy, service({ type: "ClusterIP", externalIPs: [] }))).toEqual([])
  })
  it.each(["ExternalName", "NodePort", "LoadBalancer"])("refuses a %s Service", (type) => {
    expect(admit(policy, service({ type }))).toEqual([
      "tenant Services must be ClusterIP: no ExternalName, NodePort or LoadBalancer",
    ])
  })
  it("refuses externalIPs", () => {
    expect(admit(policy, service({ type: "ClusterIP", externalIPs: ["10.96.0.10"] }))).toEqual([
      "tenant Services may not set externalIPs",
    ])
  })
})

describe("ppi-tenant-rolebindings", () => {
  const policy = policyNamed("ppi-tenant-rolebindings")
  const binding = (kind: string) => ({ roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: "x" } })
  it("admits a binding of a Role and refuses one of a ClusterRole", () => {
    expect(admit(policy, binding("Role"))).toEqual([])
    expect(admit(policy, binding("ClusterRole"))).toEqual([
      "tenant RoleBindings may bind only a Role of their namespace, never a ClusterRole",
    ])
  })
})

describe("ppi-tenant-egress", () => {
  const dns = {
    to: [
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
      },
    ],
    ports: [{ port: 53, protocol: "UDP" }],
  }
  const policyWith = (egress: ReadonlyArray<unknown>) => ({
    spec: { podSelector: {}, policyTypes: ["Egress"], egress },
  })
  const byRange = (cidr: string) => ({ to: [{ ipBlock: { cidr } }], ports: [{ port: 5432 }] })

  it("admits synth's default deny and DNS policies", () => {
    const policy = policyNamed("ppi-tenant-egress")
    expect(admit(policy, { spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } })).toEqual([])
    expect(admit(policy, policyWith([dns]))).toEqual([])
  })
  it("refuses an egress rule without destinations", () => {
    expect(admit(policyNamed("ppi-tenant-egress"), policyWith([{ ports: [{ port: 443 }] }]))).toEqual([
      "every egress rule of a tenant NetworkPolicy must name its destinations",
    ])
  })
  it("refuses any address range when self-hosted", () => {
    expect(admit(policyNamed("ppi-tenant-egress"), policyWith([dns, byRange("10.20.0.0/24")]))).toEqual([
      "tenant NetworkPolicies may not allow egress by address range",
    ])
  })
  it("admits the managed services' ranges in cloud mode and refuses public or wider ones", () => {
    const policy = policyNamed("ppi-tenant-egress", "cloud")
    expect(admit(policy, policyWith([byRange("10.20.0.0/24"), byRange("10.20.1.0/24")]))).toEqual([])
    for (const cidr of ["0.0.0.0/0", "10.0.0.0/8", "52.0.0.0/8"])
      expect(admit(policy, policyWith([byRange(cidr)]))).toEqual([
        "tenant egress by address range is allowed only within 10.20.0.0/24, 10.20.1.0/24",
      ])
  })
})

describe("ppi-tenant-images", () => {
  const policy = policyNamed("ppi-tenant-images")
  const message = ["tenant pods may run only ghcr.io/parametric-portal/api, pinned to a version or digest"]
  const pod = (spec: Record<string, unknown>) => ({ spec })
  const api =
    "ghcr.io/parametric-portal/api:1.4.2@sha256:4f1c2a8e7b9d3c6f5a0e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a"
  it("admits the API image, by tag and by digest", () => {
    expect(admit(policy, pod({ containers: [{ name: "api", image: api }] }))).toEqual([])
    expect(admit(policy, pod({ containers: [{ name: "api", image: "ghcr.io/parametric-portal/api:1.4.1" }] }))).toEqual(
      [],
    )
  })
  it("refuses another repository, a look-alike, latest, and a foreign init or ephemeral container", () => {
    for (const image of [
      "docker.io/attacker/xmrig:6.21.0",
      "ghcr.io/parametric-portal/api-evil:1.0",
      "ghcr.io/parametric-portal/api:latest",
    ])
      expect(admit(policy, pod({ containers: [{ name: "api", image }] }))).toEqual(message)
    expect(
      admit(
        policy,
        pod({ containers: [{ name: "api", image: api }], initContainers: [{ name: "x", image: "busybox:1" }] }),
      ),
    ).toEqual(message)
    expect(
      admit(
        policy,
        pod({ containers: [{ name: "api", image: api }], ephemeralContainers: [{ name: "d", image: "busybox:1" }] }),
      ),
    ).toEqual(message)
  })
})

describe("ppi-tenant-namespace", () => {
  const policy = policyNamed("ppi-tenant-namespace")
  const namespace = (labels: Record<string, string>) => ({ kind: "Namespace", metadata: { name: "acme", labels } })
  const synthesized = {
    "platform.parametric.dev/tenant": "acme",
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  }
  it("admits the Namespace synth writes, created and updated", () => {
    expect(admit(policy, namespace(synthesized))).toEqual([])
    expect(admit(policy, namespace(synthesized), namespace(synthesized))).toEqual([])
  })
  it("leaves namespaces that are not and were not a tenant's alone", () => {
    expect(admit(policy, namespace({ "pod-security.kubernetes.io/enforce": "privileged" }))).toBe("not matched")
  })
  it("refuses relaxing Pod Security in any mode", () => {
    expect(admit(policy, namespace({ ...synthesized, "pod-security.kubernetes.io/enforce": "privileged" }))).toEqual([
      "a tenant Namespace keeps pod-security.kubernetes.io/enforce=restricted",
    ])
    const { "pod-security.kubernetes.io/warn": _warn, ...withoutWarn } = synthesized
    expect(admit(policy, namespace(withoutWarn), namespace(synthesized))).toEqual([
      "a tenant Namespace keeps pod-security.kubernetes.io/warn=restricted",
    ])
  })
  it("refuses removing or changing the tenant label, which would unbind every other policy", () => {
    const { "platform.parametric.dev/tenant": _tenant, ...untenanted } = synthesized
    expect(admit(policy, namespace(untenanted), namespace(synthesized))).toEqual([
      "a tenant Namespace keeps platform.parametric.dev/tenant set to its own name",
    ])
    expect(
      admit(policy, namespace({ ...synthesized, "platform.parametric.dev/tenant": "globex" }), namespace(synthesized)),
    ).toEqual(["a tenant Namespace keeps platform.parametric.dev/tenant set to its own name"])
  })
})
