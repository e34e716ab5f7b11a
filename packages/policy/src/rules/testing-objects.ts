import type { KubeObject } from "../kube-object.ts"
import { requiredQuotaKeys } from "./workload-hygiene.ts"

/** A compliant tenant workload, the baseline every rule test mutates. */
export const labels = {
  "app.kubernetes.io/name": "api",
  "app.kubernetes.io/instance": "acme",
  "app.kubernetes.io/managed-by": "ppi-synth",
  "app.kubernetes.io/part-of": "parametric-portal",
  "platform.parametric.dev/tenant": "acme",
}

export const container = (overrides: Record<string, unknown> = {}, securityContext: Record<string, unknown> = {}) => ({
  name: "api",
  image: "ghcr.io/acme/api:1.2.3",
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
  livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
  readinessProbe: { httpGet: { path: "/readyz", port: 8080 } },
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 10001,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
    ...securityContext,
  },
  ...overrides,
})

export const deployment = (pod: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "acme", labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "acme" } },
    template: {
      metadata: { labels },
      spec: {
        automountServiceAccountToken: false,
        containers: [container()],
        volumes: [{ name: "tmp", emptyDir: {} }],
        ...pod,
      },
    },
    ...spec,
  },
})

export const object = (
  kind: string,
  name: string,
  extra: Record<string, unknown> = {},
  namespace: string | null = "acme",
): KubeObject => ({
  apiVersion: "v1",
  kind,
  metadata: { name, ...(namespace === null ? {} : { namespace }), labels },
  ...extra,
})

/** A ResourceQuota covering cpu, memory, storage and object counts. */
export const completeQuota = (): KubeObject =>
  object("ResourceQuota", "q", {
    spec: {
      hard: Object.fromEntries(requiredQuotaKeys.map((key) => [key, "1"])),
    },
  })
