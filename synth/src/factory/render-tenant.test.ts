import { describe, expect, it } from "@effect/vitest"
import type { KubeObject } from "@ppi/policy"
import { platformFor } from "../testing/fixtures.ts"
import { find, render } from "../testing/render.ts"

const kinds = (objects: ReadonlyArray<KubeObject>) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()

const base = [
  "ConfigMap/api-env",
  "Deployment/api",
  "Ingress/api",
  "LimitRange/tenant-limits",
  "NetworkPolicy/allow-data-egress",
  "NetworkPolicy/allow-dns",
  "NetworkPolicy/allow-ingress-controller",
  "NetworkPolicy/default-deny",
  "ResourceQuota/tenant-quota",
  "Service/api",
  "ServiceAccount/api",
  "ServiceAccount/credentials-reader",
  "SecretStore/platform-credentials",
  "ExternalSecret/api-credentials",
]
const dataPlane = (name: string) => [
  `AppProject/${name}`,
  `Application/${name}`,
  `Application/${name}-platform`,
  `ConfigMap/provision-${name}`,
  `ExternalSecret/tenant-${name}-credentials`,
  `Job/provision-${name}`,
  `Password/tenant-${name}-password`,
  `Role/read-tenant-${name}-credentials`,
  `RoleBinding/read-tenant-${name}-credentials`,
]

describe("renderTenant", () => {
  it("gives a free tenant the base set of objects, fixed at one replica, without HPA or PDB", () => {
    const { objects, violations } = render({ name: "hobby", tier: "free" })
    expect(violations).toEqual([])
    expect(kinds(objects)).toEqual([...base, ...dataPlane("hobby"), "Namespace/hobby"].sort())
    expect(find(objects, "Deployment").spec.replicas).toBe(1)
  })

  it("gives a pro tenant an HPA from its replicas to the tier ceiling and a majority PDB", () => {
    const { objects } = render({ name: "acme", tier: "pro", replicas: 3 })
    expect(kinds(objects)).toEqual(
      [
        ...base,
        ...dataPlane("acme"),
        "HorizontalPodAutoscaler/api",
        "Namespace/acme",
        "PodDisruptionBudget/api",
      ].sort(),
    )
    const hpa = find(objects, "HorizontalPodAutoscaler").spec
    expect([hpa.minReplicas, hpa.maxReplicas, hpa.scaleTargetRef.name]).toEqual([3, 6, "api"])
    expect(find(objects, "PodDisruptionBudget").spec.minAvailable).toBe(2)
    // The HPA owns the replica count: a fixed one would fight it on every sync.
    expect(find(objects, "Deployment").spec.replicas).toBeUndefined()
  })

  it("spreads enterprise pods across hosts and zones", () => {
    const { objects } = render({ name: "globex", tier: "enterprise" })
    const spread = find(objects, "Deployment").spec.template.spec.topologySpreadConstraints
    expect(spread.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
    ])
    expect(find(objects, "ResourceQuota").spec.hard["requests.cpu"]).toBe("168000m")
  })

  it("sizes quota by tier and forbids LoadBalancer and NodePort services", () => {
    const free = find(render({ name: "a", tier: "free" }).objects, "ResourceQuota").spec.hard
    const pro = find(render({ name: "b", tier: "pro" }).objects, "ResourceQuota").spec.hard
    expect(free).toMatchObject({
      pods: "2",
      "requests.cpu": "1000m",
      "services.loadbalancers": "0",
      "services.nodeports": "0",
    })
    expect(pro).toMatchObject({ pods: "7", "requests.memory": "28672Mi", "requests.storage": "10Gi" })
  })

  it("labels the namespace with Pod Security restricted for enforce, audit and warn", () => {
    const labels = find(render({ name: "acme", tier: "pro" }).objects, "Namespace").metadata.labels as Record<
      string,
      string
    >
    for (const mode of ["enforce", "audit", "warn"])
      expect(labels[`pod-security.kubernetes.io/${mode}`]).toBe("restricted")
  })

  it("hardens the API pod and keeps its selector explicit and free of construct paths", () => {
    const deployment = find(render({ name: "acme", tier: "pro" }).objects, "Deployment").spec
    const pod = deployment.template.spec
    const container = pod.containers[0]
    expect(deployment.selector).toEqual({
      matchLabels: { "app.kubernetes.io/instance": "acme", "app.kubernetes.io/name": "api" },
    })
    expect(JSON.stringify(deployment)).not.toContain("cdk8s")
    expect(pod.automountServiceAccountToken).toBe(false)
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    })
    expect(container.image).toMatch(/^ghcr\.io\/parametric-portal\/api:1\.4\.2@sha256:[0-9a-f]{64}$/)
    expect(container.resources).toEqual({
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { cpu: "1000m", memory: "512Mi" },
    })
    expect(container.livenessProbe.httpGet.path).toBe("/healthz")
    expect(container.readinessProbe.httpGet.path).toBe("/readyz")
  })

  it("pins a tenant's version override to the platform's repository", () => {
    const deployment = find(render({ name: "acme", tier: "pro", image: { tag: "2.0.0" } }).objects, "Deployment")
    expect(deployment.spec.template.spec.containers[0].image).toBe("ghcr.io/parametric-portal/api:2.0.0")
  })

  it("serves the canonical and custom hostnames over cert-manager TLS, published by ExternalDNS", () => {
    const ingress = find(render({ name: "acme", tier: "pro", hostnames: ["portal.acme.io"] }).objects, "Ingress")
    const hosts = ["acme.apps.parametric.dev", "portal.acme.io"]
    expect(ingress.spec.rules.map((rule: { host: string }) => rule.host)).toEqual(hosts)
    expect(ingress.spec.tls).toEqual([{ hosts, secretName: "api-tls" }])
    expect(ingress.metadata.annotations).toMatchObject({
      "cert-manager.io/cluster-issuer": "letsencrypt-production",
      "external-dns.alpha.kubernetes.io/hostname": hosts.join(","),
    })
  })

  it("denies all traffic by default and opens only ingress, DNS and the shared data services", () => {
    const { objects } = render({ name: "acme", tier: "pro" })
    expect(find(objects, "NetworkPolicy", "default-deny").spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    })
    const data = find(objects, "NetworkPolicy", "allow-data-egress").spec.egress
    expect(data.map((rule: { ports: Array<{ port: number }> }) => rule.ports[0]?.port)).toEqual([5432, 6379])
    const cloud = find(
      render({ name: "acme", tier: "pro" }, platformFor({ mode: "cloud" })).objects,
      "NetworkPolicy",
      "allow-data-egress",
    )
    expect(cloud.spec.egress[0].to).toEqual([{ ipBlock: { cidr: "10.20.0.0/24" } }])
  })

  it("scales a suspended tenant to zero and drops its HPA and PDB, keeping namespace and ingress", () => {
    const { objects } = render({ name: "acme", tier: "pro", state: "suspended" })
    expect(kinds(objects)).toEqual([...base, ...dataPlane("acme"), "Namespace/acme"].sort())
    expect(find(objects, "Deployment").spec.replicas).toBe(0)
  })

  it("renders nothing for a decommissioned tenant", () => {
    expect(render({ name: "acme", tier: "pro", state: "decommissioned" }).objects).toEqual([])
  })
})
