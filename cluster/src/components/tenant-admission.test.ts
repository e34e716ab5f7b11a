import { describe, expect, it } from "@effect/vitest"
import { decodePlatform, PLATFORM_FILE, type Platform, type PlatformInput } from "@ppi/config"
import { Effect } from "effect"
import { readPlatformInput } from "../platform-file.ts"
import { admit } from "../testing/admission-cel.ts"
import { tenantAdmissionPolicies } from "./tenant-admission.ts"

const platformInput = (await Effect.runPromise(readPlatformInput())) as PlatformInput

const platformFor = (mode: "selfhosted" | "cloud"): Platform =>
  Effect.runSync(decodePlatform(PLATFORM_FILE, { ...platformInput, mode }))

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

describe("ppi-tenant-workload-images and ppi-tenant-cronjob-images", () => {
  const message = ["tenant workloads may run only ghcr.io/parametric-portal/api, pinned to a version or digest"]
  const podSpec = (image: string) => ({ containers: [{ name: "api", image }] })
  const templated = (image: string) => ({ spec: { template: { spec: podSpec(image) } } })
  const cronJob = (image: string) => ({ spec: { jobTemplate: { spec: { template: { spec: podSpec(image) } } } } })
  const workloads = policyNamed("ppi-tenant-workload-images")
  const cronJobs = policyNamed("ppi-tenant-cronjob-images")

  it("watches the pod template of every workload kind, not only pods", () => {
    expect(workloads.rules.flatMap((rule) => rule.resources)).toEqual([
      "deployments",
      "replicasets",
      "statefulsets",
      "daemonsets",
      "jobs",
    ])
    expect(cronJobs.rules.flatMap((rule) => rule.resources)).toEqual(["cronjobs"])
  })
  it("admits the API image pinned, refuses latest and foreign images in a template", () => {
    expect(admit(workloads, templated("ghcr.io/parametric-portal/api:1.4.2"))).toEqual([])
    expect(admit(cronJobs, cronJob("ghcr.io/parametric-portal/api:1.4.2"))).toEqual([])
    for (const image of ["ghcr.io/parametric-portal/api:latest", "docker.io/attacker/xmrig:6.21.0"]) {
      expect(admit(workloads, templated(image)), image).toEqual(message)
      expect(admit(cronJobs, cronJob(image)), image).toEqual(message)
    }
    const sidecar = templated("ghcr.io/parametric-portal/api:1.4.2")
    Object.assign(sidecar.spec.template.spec, { initContainers: [{ name: "x", image: "busybox:1" }] })
    expect(admit(workloads, sidecar)).toEqual(message)
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
  it("refuses pinning Pod Security to a version older than synth's, in any mode", () => {
    const versioned = {
      ...synthesized,
      "pod-security.kubernetes.io/enforce-version": "v1.28",
      "pod-security.kubernetes.io/audit-version": "v1.28",
      "pod-security.kubernetes.io/warn-version": "v1.28",
    }
    expect(admit(policy, namespace(versioned), namespace(versioned))).toEqual([])
    expect(admit(policy, namespace({ ...versioned, "pod-security.kubernetes.io/warn-version": "latest" }))).toEqual([])
    expect(admit(policy, namespace({ ...versioned, "pod-security.kubernetes.io/audit-version": "v1.31" }))).toEqual([])
    for (const old of ["v1.0", "v1.22", "v1.27", "v2.28", "1.28"])
      expect(
        admit(
          policy,
          namespace({ ...versioned, "pod-security.kubernetes.io/enforce-version": old }),
          namespace(versioned),
        ),
        old,
      ).toEqual(["a tenant Namespace keeps pod-security.kubernetes.io/enforce-version at latest or v1.28 and later"])
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
