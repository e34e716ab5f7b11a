import { describe, expect, it } from "@effect/vitest"
import { objectRules } from "../index.ts"
import type { KubeObject } from "../kube-object.ts"
import { completeQuota, container, deployment, labels, object } from "./testing-objects.ts"

const withContainer = (overrides: Record<string, unknown> = {}, securityContext: Record<string, unknown> = {}) =>
  deployment({ containers: [container(overrides, securityContext)] })

const annotatedPod = (annotations: Record<string, string>): KubeObject => {
  const base = deployment()
  const spec = base.spec as { template: Record<string, unknown> }
  return { ...base, spec: { ...spec, template: { ...spec.template, metadata: { labels, annotations } } } }
}

/** For every object rule: objects it must catch and objects it must pass. */
const cases: Record<string, { readonly bad: ReadonlyArray<KubeObject>; readonly good: ReadonlyArray<KubeObject> }> = {
  "pss-baseline/host-process": {
    bad: [
      deployment({ securityContext: { windowsOptions: { hostProcess: true } } }),
      withContainer({}, { windowsOptions: { hostProcess: true } }),
    ],
    good: [deployment()],
  },
  "pss-baseline/host-namespaces": {
    bad: [deployment({ hostNetwork: true }), deployment({ hostPID: true }), deployment({ hostIPC: true })],
    good: [deployment({ hostNetwork: false })],
  },
  "pss-baseline/privileged": {
    bad: [withContainer({}, { privileged: true })],
    good: [withContainer({}, { privileged: false })],
  },
  "pss-baseline/host-path": {
    bad: [deployment({ volumes: [{ name: "root", hostPath: { path: "/" } }] })],
    good: [deployment({ volumes: [{ name: "tmp", emptyDir: {} }] })],
  },
  "pss-baseline/host-ports": {
    bad: [withContainer({ ports: [{ containerPort: 80, hostPort: 80 }] })],
    good: [withContainer({ ports: [{ containerPort: 8080 }] })],
  },
  "pss-baseline/apparmor": {
    bad: [
      withContainer({}, { appArmorProfile: { type: "Unconfined" } }),
      deployment({ securityContext: { appArmorProfile: { type: "Unconfined" } } }),
      annotatedPod({ "container.apparmor.security.beta.kubernetes.io/api": "unconfined" }),
    ],
    good: [
      withContainer({}, { appArmorProfile: { type: "RuntimeDefault" } }),
      annotatedPod({ "container.apparmor.security.beta.kubernetes.io/api": "runtime/default" }),
    ],
  },
  "pss-baseline/host-probes": {
    bad: [
      withContainer({ livenessProbe: { httpGet: { host: "169.254.169.254", path: "/", port: 80 } } }),
      withContainer({ lifecycle: { preStop: { tcpSocket: { host: "10.0.0.1", port: 22 } } } }),
    ],
    good: [withContainer({ readinessProbe: { httpGet: { path: "/readyz", port: 8080 } } })],
  },
  "pss-baseline/selinux": {
    bad: [
      withContainer({}, { seLinuxOptions: { type: "spc_t" } }),
      deployment({ securityContext: { seLinuxOptions: { user: "root" } } }),
    ],
    good: [withContainer({}, { seLinuxOptions: { type: "container_t" } })],
  },
  "pss-baseline/proc-mount": {
    bad: [withContainer({}, { procMount: "Unmasked" })],
    good: [withContainer({}, { procMount: "Default" })],
  },
  "pss-baseline/seccomp": {
    bad: [withContainer({}, { seccompProfile: { type: "Unconfined" } })],
    good: [withContainer({}, { seccompProfile: { type: "Localhost", localhostProfile: "p.json" } })],
  },
  "pss-baseline/sysctls": {
    bad: [deployment({ securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] } })],
    good: [deployment({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_syncookies", value: "1" }] } })],
  },
  "pss-restricted/volume-types": {
    bad: [deployment({ volumes: [{ name: "nfs", nfs: { server: "x", path: "/" } }] })],
    good: [
      deployment({
        volumes: [
          { name: "c", configMap: { name: "x" } },
          { name: "p", persistentVolumeClaim: { claimName: "x" } },
        ],
      }),
    ],
  },
  "pss-restricted/privilege-escalation": {
    bad: [
      withContainer({}, { allowPrivilegeEscalation: true }),
      withContainer({}, { allowPrivilegeEscalation: undefined }),
    ],
    good: [deployment()],
  },
  "pss-restricted/run-as-non-root": {
    bad: [withContainer({}, { runAsNonRoot: false })],
    good: [
      deployment({ securityContext: { runAsNonRoot: true }, containers: [container({}, { runAsNonRoot: undefined })] }),
    ],
  },
  "pss-restricted/run-as-user": {
    bad: [withContainer({}, { runAsUser: 0 }), deployment({ securityContext: { runAsUser: 0 } })],
    good: [deployment()],
  },
  "pss-restricted/seccomp": {
    bad: [withContainer({}, { seccompProfile: undefined })],
    good: [
      deployment({
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        containers: [container({}, { seccompProfile: undefined })],
      }),
    ],
  },
  "pss-restricted/capabilities": {
    bad: [
      withContainer({}, { capabilities: { drop: ["NET_RAW"] } }),
      withContainer({}, { capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } }),
    ],
    good: [withContainer({}, { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })],
  },
  "hygiene/image-pinned": {
    bad: [
      withContainer({ image: "nginx" }),
      withContainer({ image: "nginx:latest" }),
      withContainer({ image: "registry:5000/nginx" }),
    ],
    good: [
      withContainer({ image: "registry:5000/nginx:1.27" }),
      withContainer({ image: `nginx@sha256:${"a".repeat(64)}` }),
    ],
  },
  "hygiene/requests-and-limits": {
    bad: [withContainer({ resources: { requests: { cpu: "1" } } })],
    good: [deployment()],
  },
  "hygiene/probes": {
    bad: [withContainer({ livenessProbe: undefined })],
    good: [{ ...withContainer({ livenessProbe: undefined, readinessProbe: undefined }), kind: "Job" }],
  },
  "hygiene/read-only-root-filesystem": {
    bad: [withContainer({}, { readOnlyRootFilesystem: false })],
    good: [deployment()],
  },
  "hygiene/no-token-automount": {
    bad: [deployment({ automountServiceAccountToken: true }), object("ServiceAccount", "api")],
    good: [deployment(), object("ServiceAccount", "api", { automountServiceAccountToken: false })],
  },
  "hygiene/required-labels": {
    bad: [
      {
        ...object("ConfigMap", "x"),
        metadata: { name: "x", namespace: "acme", labels: { "app.kubernetes.io/name": "x" } },
      },
    ],
    good: [object("ConfigMap", "x")],
  },
  "mtb/no-nodeport-or-loadbalancer": {
    bad: [
      object("Service", "api", { spec: { type: "NodePort" } }),
      object("Service", "api", { spec: { type: "LoadBalancer" } }),
    ],
    good: [object("Service", "api", { spec: { type: "ClusterIP" } })],
  },
  "mtb/quota-complete": {
    bad: [object("ResourceQuota", "q", { spec: { hard: { "requests.cpu": "1", "limits.cpu": "2" } } })],
    good: [completeQuota()],
  },
  "secrets/no-plaintext": {
    bad: [
      object("Secret", "s", { data: { password: "aHVudGVyMg==" } }),
      object("ConfigMap", "c", { data: { DB_PASSWORD: "hunter2" } }),
    ],
    good: [
      object("ConfigMap", "c", { data: { DB_HOST: "db" } }),
      { ...object("Secret", "tls"), type: "kubernetes.io/tls" },
    ],
  },
}

const check = (id: string, object: KubeObject) => {
  const rule = objectRules.find((candidate) => candidate.id === id)
  if (rule === undefined) throw new Error(`no rule ${id}`)
  return rule.check(object)
}

describe("object rules", () => {
  it("has a good and a bad case for every rule", () => {
    expect(Object.keys(cases).sort()).toEqual(objectRules.map((rule) => rule.id).sort())
  })

  it("passes the compliant baseline on every rule", () => {
    for (const rule of objectRules) expect(rule.check(deployment()), rule.id).toEqual([])
    expect(labels["platform.parametric.dev/tenant"]).toBe("acme")
  })

  describe.each(Object.entries(cases))("%s", (id, { bad, good }) => {
    it.each(bad.map((o, i) => [i, o] as const))("catches bad case %i", (_i, o) => {
      expect(check(id, o).length).toBeGreaterThan(0)
    })
    it.each(good.map((o, i) => [i, o] as const))("passes good case %i", (_i, o) => {
      expect(check(id, o)).toEqual([])
    })
  })
})
