import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, expect, layer } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { controlPlaneLayer } from "./control-plane/control-plane.ts"
import { admissionAnswer, KubeApi, type KubeApiError, type KubeObject } from "./control-plane/kube-api.ts"
import { applyClusterObjects, clusterObjects } from "./scenario/cluster-objects.ts"
import { installCrds } from "./scenario/crds.ts"
import { missingFromLive } from "./scenario/live-diff.ts"
import { inSyncOrder, type Manifest, REPO, readComponent, runSynth, tenantsIn } from "./scenario/synthesized.ts"

/**
 * The example tenants, synthesized by the real CLI, applied through a real kube-apiserver with
 * real admission, on fake (kwok) nodes. Argo CD is not part of this file: objects are applied the
 * way Argo CD applies them (server-side, platform before app, by sync wave).
 */
const work = mkdtempSync(join(tmpdir(), "ppi-e2e-tenants-"))
const tenantsDir = join(work, "tenants")
const outDir = join(work, "out")
let tenants: ReadonlyArray<string> = []

beforeAll(async () => {
  cpSync(join(REPO, "tenants"), tenantsDir, { recursive: true })
  await Effect.runPromise(runSynth(tenantsDir, outDir))
  tenants = tenantsIn(outDir)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** What the cluster bootstrap (cluster/) creates before any tenant: the platform's namespace. */
const bootstrapNamespaces: ReadonlyArray<KubeObject> = ["platform", "platform-data"].map((name) => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name },
}))

/** A hook Argo CD deletes and creates anew on every sync, rather than applies over the old one. */
const recreatedHook = (object: KubeObject) =>
  object.metadata.annotations?.["argocd.argoproj.io/hook"] !== undefined &&
  (object.metadata.annotations["argocd.argoproj.io/hook-delete-policy"] ?? "BeforeHookCreation")
    .split(",")
    .includes("BeforeHookCreation")

const replaceHook = (object: KubeObject) =>
  Effect.gen(function* () {
    const kube = yield* KubeApi
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
    }
    if (yield* kube.get(ref)) yield* kube.remove(ref)
    for (let attempt = 0; attempt < 120 && (yield* kube.get(ref)); attempt++) yield* Effect.sleep("250 millis")
    return yield* kube.apply(object)
  })

/** Applies the way Argo CD syncs: server-side apply, hooks with BeforeHookCreation recreated. */
const applyAll = (manifests: ReadonlyArray<Manifest>) =>
  Effect.gen(function* () {
    const kube = yield* KubeApi
    const rejected: Array<string> = []
    for (const { file, object } of manifests) {
      const exit = yield* Effect.exit(recreatedHook(object) ? replaceHook(object) : kube.apply(object))
      if (Exit.isFailure(exit)) rejected.push(`${file}: ${String(exit.cause)}`)
    }
    return rejected
  })

const live = (manifest: Manifest) =>
  KubeApi.use((kube) =>
    kube.get({
      apiVersion: manifest.object.apiVersion,
      kind: manifest.object.kind,
      name: manifest.object.metadata.name,
      namespace: manifest.object.metadata.namespace,
    }),
  )

/** The API error an effect fails with (the test fails if it succeeds). */
const rejection = <A>(effect: Effect.Effect<A, KubeApiError, KubeApi>) =>
  effect.pipe(
    Effect.flip,
    Effect.mapError(() => new Error("the API server accepted what it must reject")),
  )

const restrictedContainer = {
  name: "probe",
  image: "registry.k8s.io/pause:3.10",
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    runAsUser: 10001,
    seccompProfile: { type: "RuntimeDefault" },
  },
}

const pod = (namespace: string, name: string, container: Record<string, unknown>): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace },
  spec: { containers: [container] },
})

interface DeploymentStatus {
  readonly spec: { readonly replicas?: number }
  readonly status?: { readonly availableReplicas?: number }
}

/** Why the Deployment's ReplicaSets could not create pods, as the controller manager reports it. */
const replicaFailures = (namespace: string) =>
  KubeApi.use((kube) => kube.list("apps/v1", "ReplicaSet", namespace)).pipe(
    Effect.map((sets) =>
      sets.flatMap((set) =>
        ((set.status as { conditions?: ReadonlyArray<{ type: string; message: string }> }).conditions ?? [])
          .filter((condition) => condition.type === "ReplicaFailure")
          .map((condition) => `${set.metadata.name}: ${condition.message}`),
      ),
    ),
  )

/**
 * Waits until the Deployment wants `expected` replicas (when given: with an HPA, its controller
 * sets them, seconds after a change) and has that many available.
 */
const waitForAvailable = (namespace: string, expected?: number) =>
  Effect.gen(function* () {
    const kube = yield* KubeApi
    const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace, name: "api" }
    for (let attempt = 0; attempt < 360; attempt++) {
      const deployment = (yield* kube.get(ref)) as unknown as DeploymentStatus | undefined
      const wanted = deployment?.spec.replicas ?? 1
      if (deployment && (expected ?? wanted) === wanted && (deployment.status?.availableReplicas ?? 0) === wanted)
        return { wanted, failures: [] }
      yield* Effect.sleep("500 millis")
    }
    const deployment = (yield* kube.get(ref)) as unknown as DeploymentStatus | undefined
    return {
      wanted: deployment?.spec.replicas ?? 1,
      available: deployment?.status?.availableReplicas ?? 0,
      failures: yield* replicaFailures(namespace),
    }
  })

layer(controlPlaneLayer, { excludeTestServices: true, timeout: "30 minutes" })(
  "the example tenants on a real control plane",
  (it) => {
    it.effect("serves the Argo CD and External Secrets CRDs at the versions cluster/ pins", () =>
      Effect.gen(function* () {
        const names = yield* installCrds
        expect(names).toEqual(
          expect.arrayContaining([
            "applications.argoproj.io",
            "appprojects.argoproj.io",
            "externalsecrets.external-secrets.io",
          ]),
        )
      }),
    )

    it.effect("accepts every platform and app object synth writes (server-side apply, strict field validation)", () =>
      Effect.gen(function* () {
        const kube = yield* KubeApi
        for (const namespace of bootstrapNamespaces) yield* kube.apply(namespace)
        const manifests = inSyncOrder(outDir, tenants)
        expect(manifests.length).toBeGreaterThan(40)
        expect(yield* applyAll(manifests)).toEqual([])
      }),
    )

    it.effect("keeps acme's namespace, quota, limits and network policies exactly as synthesized", () =>
      Effect.gen(function* () {
        const guarded = readComponent(outDir, "acme", "platform").filter(({ object }) =>
          ["Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy"].includes(object.kind),
        )
        expect(guarded.map(({ object }) => object.kind).sort()).toEqual([
          "LimitRange",
          "Namespace",
          "NetworkPolicy",
          "NetworkPolicy",
          "NetworkPolicy",
          "NetworkPolicy",
          "ResourceQuota",
        ])
        for (const manifest of guarded) {
          const object = yield* live(manifest)
          expect(object, manifest.file).toBeDefined()
          const { metadata, ...body } = manifest.object
          expect(missingFromLive({ metadata: { labels: metadata.labels }, ...body }, object), manifest.file).toEqual([])
        }
      }),
    )

    it.effect("runs every tenant's API Deployment to its available replicas on kwok nodes", () =>
      Effect.gen(function* () {
        for (const tenant of tenants) {
          const outcome = yield* waitForAvailable(tenant)
          expect(outcome, `${tenant}: Deployment api`).toEqual({ wanted: outcome.wanted, failures: [] })
        }
      }),
    )

    it.effect("rejects a privileged pod in acme's namespace by Pod Security admission, and only there", () =>
      Effect.gen(function* () {
        const kube = yield* KubeApi
        const privileged = { ...restrictedContainer, securityContext: { privileged: true } }
        yield* kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "e2e-unlabelled" } })
        const control = yield* kube.create(pod("e2e-unlabelled", "privileged", privileged))
        expect(control.metadata.name).toBe("privileged")
        const error = yield* rejection(kube.create(pod("acme", "privileged", privileged)))
        expect(error.status).toBe(403)
        expect(error.detail).toContain('violates PodSecurity "restricted:v1.28"')
        expect(error.detail).toContain("privileged")
      }),
    )

    it.effect("enforces acme's quota and limit range at admission", () =>
      Effect.gen(function* () {
        const kube = yield* KubeApi
        const loadBalancer = yield* rejection(
          kube.create({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "public", namespace: "acme" },
            spec: { type: "LoadBalancer", ports: [{ port: 80 }] },
          }),
        )
        expect(loadBalancer.detail).toContain("exceeded quota: tenant-quota")
        expect(loadBalancer.detail).toContain("services.loadbalancers")
        const tooBig = yield* rejection(
          kube.create(
            pod("acme", "too-big", {
              ...restrictedContainer,
              resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "5", memory: "64Mi" } },
            }),
          ),
        )
        expect(tooBig.detail).toContain("maximum cpu usage per Container")
      }),
    )

    it.effect("moves acme to the enterprise tier: quota and autoscaling follow the new synth", () =>
      Effect.gen(function* () {
        const file = join(tenantsDir, "acme.ts")
        const before = readComponent(outDir, "acme", "platform").find(({ object }) => object.kind === "ResourceQuota")
        writeFileSync(
          file,
          readFileSync(file, "utf8")
            .replace('tier: "pro"', 'tier: "enterprise"')
            .replace("replicas: 2,", "replicas: 3,"),
        )
        yield* runSynth(tenantsDir, outDir)
        const after = ["platform", "app"].flatMap((component) => readComponent(outDir, "acme", component))
        const quota = after.find(({ object }) => object.kind === "ResourceQuota")
        const autoscaler = after.find(({ object }) => object.kind === "HorizontalPodAutoscaler")
        if (!quota || !autoscaler) return yield* Effect.die(new Error("acme lost its quota or autoscaler"))
        expect(quota.object.spec).not.toEqual(before?.object.spec)
        expect((autoscaler.object.spec as { maxReplicas: number }).maxReplicas).toBe(20)
        expect(yield* applyAll(inSyncOrder(outDir, ["acme"]))).toEqual([])
        for (const changed of [quota, autoscaler]) {
          const { metadata, ...body } = changed.object
          expect(
            missingFromLive({ metadata: { labels: metadata.labels }, ...body }, yield* live(changed)),
            changed.file,
          ).toEqual([])
        }
        expect(yield* waitForAvailable("acme", 3)).toEqual({ wanted: 3, failures: [] })
      }),
    )

    it.effect("accepts everything cluster/ declares, in both modes, and runs its Deployments on kwok nodes", () =>
      Effect.gen(function* () {
        const kube = yield* KubeApi
        const selfhosted = yield* clusterObjects("selfhosted")
        expect(selfhosted.objects.length).toBeGreaterThan(80)
        // The order comes from the declared dependencies, not only the kind ranking: every object
        // waits for the namespace and CRDs it needs from other resources, as a parallel `pulumi up` would.
        expect(selfhosted.undeclaredNeeds).toEqual([])
        expect(yield* applyClusterObjects(selfhosted.objects)).toEqual([])
        // Controllers the harness cannot run are installed as objects; these parts never reach it.
        expect(selfhosted.notApplied).toEqual([
          "Longhorn's manifest (longhorn/longhorn is not a Go module); only the StorageClass",
          "cert-manager's controller, cainjector and webhook (its release manifest is built, not in the module)",
          "metrics-server's APIService v1beta1.metrics.k8s.io (no metrics are served on kwok)",
        ])
        const cloud = yield* clusterObjects("cloud")
        expect(cloud.undeclaredNeeds).toEqual([])
        expect(yield* applyClusterObjects(cloud.objects)).toEqual([])
        // Every Deployment (Argo CD's, External Secrets', ExternalDNS's, Traefik) gets its pods past
        // admission (Pod Security of its namespace included) and available on kwok.
        const deployments = selfhosted.objects
          .map(({ object, defaultNamespace }) => ({
            ...object,
            metadata: { ...object.metadata, namespace: object.metadata.namespace ?? defaultNamespace },
          }))
          .filter((object) => object.kind === "Deployment")
        expect(deployments.length).toBeGreaterThan(5)
        const unavailable: Array<string> = []
        for (const deployment of deployments) {
          const ref = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            namespace: deployment.metadata.namespace ?? "argocd",
            name: deployment.metadata.name,
          }
          let available = 0
          for (let attempt = 0; attempt < 240 && available < 1; attempt++) {
            available =
              ((yield* kube.get(ref))?.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0
            if (available < 1) yield* Effect.sleep("500 millis")
          }
          if (available < 1)
            unavailable.push(`${ref.namespace}/${ref.name}: ${(yield* replicaFailures(ref.namespace)).join("; ")}`)
        }
        expect(unavailable).toEqual([])
      }),
    )

    it.effect(
      "refuses, by the admission policies cluster/ installs, what the policy refuses, even applied straight to the API server",
      () =>
        Effect.gen(function* () {
          // The previous test applied everything cluster/ declares, the tenant admission policies included.
          const refusal = admissionAnswer
          const meta = (name: string) => ({ name, namespace: "acme" })
          const synthesized = (component: string, kind: string) => {
            const found = readComponent(outDir, "acme", component).find(({ object }) => object.kind === kind)
            if (found === undefined) throw new Error(`acme's ${component} has no ${kind}`)
            return structuredClone(found.object)
          }
          // acme's Namespace as synth writes it, less one label.
          const namespaceWithout = (key: string): KubeObject => {
            const namespace = synthesized("platform", "Namespace")
            const { [key]: _removed, ...labels } = namespace.metadata.labels ?? {}
            return { ...namespace, metadata: { ...namespace.metadata, labels } }
          }
          // acme's API Deployment, as a second Deployment running the API repository's `latest`.
          const latest = (() => {
            const deployment = synthesized("app", "Deployment") as KubeObject & {
              spec: { template: { spec: { containers: Array<{ image: string }> } } }
            }
            for (const container of deployment.spec.template.spec.containers)
              container.image = `${container.image.split(/[:@]/)[0]}:latest`
            return { ...deployment, metadata: { ...deployment.metadata, name: "api-latest" } }
          })()
          const attempts: ReadonlyArray<readonly [string, KubeObject, string]> = [
            [
              "an ExternalName Service to the shared database",
              {
                apiVersion: "v1",
                kind: "Service",
                metadata: meta("db"),
                spec: { type: "ExternalName", externalName: "postgres.platform-data.svc.cluster.local" },
              },
              "tenant Services must be ClusterIP",
            ],
            [
              "a Service with externalIPs",
              {
                apiVersion: "v1",
                kind: "Service",
                metadata: meta("ips"),
                spec: { ports: [{ port: 80 }], externalIPs: ["203.0.113.7"] },
              },
              "tenant Services may not set externalIPs",
            ],
            [
              "a RoleBinding to cluster-admin",
              {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: meta("escalate"),
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
                subjects: [{ kind: "ServiceAccount", name: "default", namespace: "acme" }],
              },
              "never a ClusterRole",
            ],
            [
              "egress to the whole internet",
              {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: meta("open"),
                spec: {
                  podSelector: {},
                  policyTypes: ["Egress"],
                  egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
                },
              },
              // Cloud mode, applied last, allows the managed services' ranges; 0.0.0.0/0 is refused either way.
              "ValidatingAdmissionPolicy 'ppi-tenant-egress'",
            ],
            [
              "a pod of a foreign image",
              {
                apiVersion: "v1",
                kind: "Pod",
                metadata: meta("miner"),
                // Restricted in every other way, so that only the image is wrong.
                spec: {
                  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                  containers: [
                    {
                      name: "miner",
                      image: "docker.io/evil/miner:latest",
                      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                    },
                  ],
                },
              },
              "tenant pods may run only",
            ],
            [
              "a NodePort Service",
              {
                apiVersion: "v1",
                kind: "Service",
                metadata: meta("node-port"),
                spec: { type: "NodePort", ports: [{ port: 80 }] },
              },
              "tenant Services must be ClusterIP",
            ],
            [
              "a LoadBalancer Service",
              {
                apiVersion: "v1",
                kind: "Service",
                metadata: meta("load-balancer"),
                spec: { type: "LoadBalancer", ports: [{ port: 80 }] },
              },
              "tenant Services must be ClusterIP",
            ],
            ["a Deployment of the API image at :latest", latest, "tenant workloads may run only"],
            [
              "the namespace without its tenant label",
              namespaceWithout("platform.parametric.dev/tenant"),
              "a tenant Namespace keeps platform.parametric.dev/tenant set to its own name",
            ],
            [
              "the namespace without its Pod Security enforce label",
              namespaceWithout("pod-security.kubernetes.io/enforce"),
              "a tenant Namespace keeps pod-security.kubernetes.io/enforce=restricted",
            ],
            [
              "the namespace pinned to an ancient Pod Security version",
              {
                ...synthesized("platform", "Namespace"),
                metadata: {
                  ...synthesized("platform", "Namespace").metadata,
                  labels: {
                    ...synthesized("platform", "Namespace").metadata.labels,
                    "pod-security.kubernetes.io/enforce-version": "v1.22",
                  },
                },
              },
              "a tenant Namespace keeps pod-security.kubernetes.io/enforce-version at latest or v1.28 and later",
            ],
            [
              "a namespace outside the tenant policies, as Argo CD would create it (tracking annotation)",
              {
                apiVersion: "v1",
                kind: "Namespace",
                metadata: {
                  name: "miner",
                  annotations: { "argocd.argoproj.io/tracking-id": "acme-platform:/Namespace:miner/miner" },
                },
              },
              "a Namespace Argo CD applies is a tenant's",
            ],
            [
              "the namespace relabelled privileged",
              {
                apiVersion: "v1",
                kind: "Namespace",
                metadata: {
                  name: "acme",
                  labels: {
                    "platform.parametric.dev/tenant": "acme",
                    "pod-security.kubernetes.io/enforce": "privileged",
                  },
                },
              },
              "pod-security.kubernetes.io/enforce=restricted",
            ],
          ]
          for (const [what, object, message] of attempts) expect(yield* refusal(object), what).toContain(message)
          // acme's own objects, as synthesized, are still admitted.
          expect(yield* applyAll(inSyncOrder(outDir, ["acme"]))).toEqual([])
        }),
    )
  },
)
