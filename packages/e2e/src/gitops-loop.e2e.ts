import { join } from "node:path"
import { afterAll, expect, layer } from "@effect/vitest"
import { publish, renderComments, treeChanges } from "@ppi/bot"
import { generateSigningKey, withSigningKeys } from "@ppi/bot/testing"
import { ARGOCD_NAMESPACE, type Platform, rootApplication } from "@ppi/config"
import { buildTree, loadPlatform, TenantFiles, type Tree } from "@ppi/synth"
import { Effect, Layer } from "effect"
import { parseAllDocuments } from "yaml"
import { type AppState, refresh, synced, waitForApps } from "./argocd/applications.ts"
import { ArgoCd, argoCdLayerWith } from "./argocd/argo-cd.ts"
import { ControlPlane, controlPlaneLayer } from "./control-plane/control-plane.ts"
import { admissionAnswer, KubeApi, type KubeObject } from "./control-plane/kube-api.ts"
import { applyClusterObjects, clusterObjects } from "./scenario/cluster-objects.ts"
import { makeProjectRepo } from "./scenario/deploy-repo.ts"
import { missingFromLive } from "./scenario/live-diff.ts"

/**
 * The whole loop on real parts: a bare git remote, the bot's publish, and real Argo CD
 * (application-controller + repo-server) syncing the deploy branch into a real control plane with
 * real admission, on kwok nodes. Steps run in order and build on each other.
 */
const FIRST_TENANTS = ["globex", "hobby", "initech"]
const repo = makeProjectRepo(FIRST_TENANTS)
afterAll(() => repo.cleanup())
// The bot's key, as docs/signing.md has an operator make it; the platform requires it on main.
const bot = generateSigningKey()
repo.commit("Require signed deploy commits", {
  "synth/platform.ts": withSigningKeys(repo.read("synth/platform.ts"), [bot]),
})

const platform: Platform = await Effect.runPromise(loadPlatform(join(repo.dev, "synth/platform.ts")))
const timings: Record<string, number> = {}

/** `publish` as the workflow runs it on a push to main; returns the new deploy head. */
const publishMain = Effect.gen(function* () {
  const result = yield* publish({
    remote: repo.remote,
    sourceBranch: "main",
    deployBranch: "deploy",
    synthVersion: "e2e",
    signingKey: bot.privateKey,
  }).pipe(Effect.provide(TenantFiles.layer))
  expect(result._tag).toBe("Published")
  return result._tag === "Published" ? result.commit : ""
})

/** What the deploy repository's webhook does on a push: every Application reading it compares now. */
const webhook = Effect.gen(function* () {
  const kube = yield* KubeApi
  const apps = yield* kube.list("argoproj.io/v1alpha1", "Application", ARGOCD_NAMESPACE)
  for (const app of apps)
    if ((app.spec as { source?: { repoURL?: string } }).source?.repoURL === repo.repoURL)
      yield* refresh(app.metadata.name)
})

const appsOf = (tenants: ReadonlyArray<string>) => ["tenants", ...tenants.flatMap((t) => [`${t}-platform`, t])]

/** Merge → publish → webhook → every listed Application Synced to the new head and Healthy; returns seconds. */
const deploy = (branch: string, tenants: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    repo.merge(branch)
    const started = performance.now()
    const head = yield* publishMain
    yield* webhook
    // Applications the root app creates are compared on creation; existing ones on the webhook.
    const states = yield* waitForApps(appsOf(tenants), `Synced at ${head} and Healthy`, synced(head))
    return { seconds: Math.round((performance.now() - started) / 100) / 10, states, head }
  })

/** The objects of a component's `manifest.yaml` on the deploy branch (`acme/platform`). */
const deployObjects = (component: string): ReadonlyArray<KubeObject> => {
  const content = repo.deployTree().get(`${component}/manifest.yaml`)
  if (content === undefined) return []
  return parseAllDocuments(content).map((document) => document.toJS() as KubeObject)
}

/** One object of a component on the deploy branch, by kind and name. */
const deployObject = (component: string, kind: string, name: string): KubeObject => {
  const object = deployObjects(component).find((o) => o.kind === kind && o.metadata.name === name)
  if (object === undefined) throw new Error(`${kind}/${name} is not in ${component}/manifest.yaml on the deploy branch`)
  return object
}

const live = (object: KubeObject) =>
  KubeApi.use((kube) =>
    kube.get({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
    }),
  )

/** Every synthesized field is live with the synthesized value (server defaults aside). */
const asSynthesized = (object: KubeObject) =>
  Effect.gen(function* () {
    const { metadata, ...body } = object
    return missingFromLive({ metadata: { labels: metadata.labels }, ...body }, yield* live(object))
  })

/** The Deployment's wanted and available replicas once both are `expected` (or as last seen). */
const availableReplicas = (namespace: string, expected: number) =>
  Effect.gen(function* () {
    const kube = yield* KubeApi
    let seen = { wanted: -1, available: -1 }
    for (let attempt = 0; attempt < 240; attempt++) {
      const deployment = yield* kube.get({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: "api" })
      seen = {
        wanted: (deployment?.spec as { replicas?: number } | undefined)?.replicas ?? -1,
        available: (deployment?.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0,
      }
      if (seen.wanted === expected && seen.available === expected) break
      yield* Effect.sleep("500 millis")
    }
    return seen
  })

const notAssessed = (state: AppState) =>
  state.resources
    .filter((resource) => resource.health?.message?.startsWith("not assessed:"))
    .map((resource) => resource.kind)
    .sort()

const stack = Layer.provideMerge(argoCdLayerWith({ trustedKeys: [bot] }), controlPlaneLayer)

layer(stack, { excludeTestServices: true, timeout: "40 minutes" })("the GitOps loop against real Argo CD", (it) => {
  it.effect(
    "bootstraps with what cluster/ declares: its Argo CD settings, projects and root app deploy the tenants on main",
    () =>
      Effect.gen(function* () {
        const kube = yield* KubeApi
        const started = performance.now()
        const head = yield* publishMain
        // Everything the Pulumi program declares for this repository's platform file, applied as
        // `pulumi up` would: namespaces, data services, Argo CD's install manifest and settings, the
        // bot's public key, the emptied default project, the platform project and the root Application.
        const cluster = yield* clusterObjects("selfhosted", join(repo.dev, "synth/platform.ts"))
        expect(yield* applyClusterObjects(cluster.objects)).toEqual([])
        const root = yield* kube.get({
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          namespace: ARGOCD_NAMESPACE,
          name: "tenants",
        })
        expect(root?.spec).toMatchObject(rootApplication(platform).spec)
        const project = yield* kube.get({
          apiVersion: "argoproj.io/v1alpha1",
          kind: "AppProject",
          namespace: ARGOCD_NAMESPACE,
          name: "platform",
        })
        expect((project?.spec as { signatureKeys?: unknown } | undefined)?.signatureKeys).toEqual([
          { keyID: bot.keyID },
        ])
        yield* waitForApps(appsOf(FIRST_TENANTS), "Synced and Healthy", synced(head), "10 minutes")
        timings["bootstrap → fleet of 3 Synced (s)"] = Math.round((performance.now() - started) / 100) / 10
      }),
  )

  it.effect("renders the pull request that adds acme as a diff naming acme's objects", () =>
    Effect.gen(function* () {
      repo.branch("add-acme", "Add tenant acme", { "tenants/acme.ts": repo.example("acme") })
      const pr = yield* buildTree(join(repo.dev, "tenants"), platform).pipe(Effect.provide(TenantFiles.layer))
      const changes = treeChanges(repo.deployTree() as Tree, pr.tree)
      expect(new Set(changes.map((change) => change.tenant))).toEqual(new Set(["acme", "_platform"]))
      const comments = renderComments(changes).join("\n")
      // Each object by its identity, with the component file it sits in.
      for (const [label, file] of [
        ["Application argocd/acme", "acme/argocd/manifest.yaml"],
        ["Namespace acme", "acme/platform/manifest.yaml"],
        ["ResourceQuota acme/tenant-quota", "acme/platform/manifest.yaml"],
        ["Deployment acme/api", "acme/app/manifest.yaml"],
      ])
        expect(comments).toMatch(new RegExp(`${label}(</code>|\`)[^\n]* · (<code>|\`)${file}`))
    }),
  )

  it.effect("merges, publishes, and Argo CD brings acme to Synced and Healthy", () =>
    Effect.gen(function* () {
      const { seconds, states } = yield* deploy("add-acme", ["acme"])
      timings["merge → acme Synced + Healthy (s)"] = seconds
      const [acmePlatform, acme] = [states[1], states[2]]
      // The data plane's provisioning ran as a Sync hook Job (kwok completes its pod) and succeeded.
      const provisioned = yield* KubeApi.use((kube) =>
        kube.get({
          apiVersion: "batch/v1",
          kind: "Job",
          namespace: platform.platformNamespace,
          name: "provision-acme",
        }),
      )
      expect((provisioned?.status as { succeeded?: number } | undefined)?.succeeded).toBe(1)
      // Only the kinds whose controllers the harness lacks have declared health; the rest is Argo CD's.
      expect(notAssessed(acme as AppState)).toEqual(["HorizontalPodAutoscaler", "Ingress"])
      expect(notAssessed(acmePlatform as AppState)).toEqual(["ExternalSecret", "ExternalSecret", "SecretStore"])
      expect((acme as AppState).resources.find((resource) => resource.kind === "Deployment")?.health?.status).toBe(
        "Healthy",
      )
    }),
  )

  it.effect("keeps acme's namespace, quota, limits and network policies exactly as synthesized", () =>
    Effect.gen(function* () {
      const guarded = deployObjects("acme/platform").filter((object) =>
        ["Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy"].includes(object.kind),
      )
      expect(guarded).toHaveLength(7)
      for (const object of guarded)
        expect(yield* asSynthesized(object), `${object.kind}/${object.metadata.name}`).toEqual([])
    }),
  )

  it.effect("runs acme's API Deployment to its available replicas on kwok nodes", () =>
    Effect.gen(function* () {
      expect(yield* availableReplicas("acme", 2)).toEqual({ wanted: 2, available: 2 })
    }),
  )

  it.effect("rejects a privileged pod in acme's namespace by Pod Security admission", () =>
    Effect.gen(function* () {
      const kube = yield* KubeApi
      const error = yield* kube
        .create({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "privileged", namespace: "acme" },
          spec: { containers: [{ name: "shell", image: "busybox:1.37", securityContext: { privileged: true } }] },
        })
        .pipe(Effect.flip)
      expect(error.status).toBe(403)
      expect(error.detail).toContain('violates PodSecurity "restricted:')
    }),
  )

  it.effect(
    "confines acme's project at admission: no Application into another namespace or its own guardrails, no wider project",
    () =>
      Effect.gen(function* () {
        const kube = yield* KubeApi
        // Refused whoever applies them: here the harness's identity, which is also Argo CD's; a signed
        // deploy commit carrying them would get the same answer when Argo CD applies it.
        const refusal = admissionAnswer
        const application = (name: string, path: string, namespace: string) => ({
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          metadata: { name, namespace: ARGOCD_NAMESPACE },
          spec: {
            project: "acme",
            source: { repoURL: platform.deploy.repoURL, targetRevision: "deploy", path },
            destination: { server: "https://kubernetes.default.svc", namespace },
            syncPolicy: { automated: { prune: false, selfHeal: false } },
          },
        })
        const tenantShape = "a tenant's Application uses its own project, namespace and app folder"
        expect(yield* refusal(application("acme-into-globex", "acme/app", "globex"))).toContain(tenantShape)
        expect(yield* refusal(application("acme-own-guardrails", "acme/platform", "acme"))).toContain(tenantShape)
        expect(
          yield* refusal({
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AppProject",
            metadata: { name: "evil", namespace: ARGOCD_NAMESPACE },
            // The deploy repository (a wider one is refused too): the destinations are what is judged here.
            spec: {
              sourceRepos: [platform.deploy.repoURL],
              destinations: [{ server: "*", namespace: "*" }],
              clusterResourceWhitelist: [{ group: "*", kind: "*" }],
            },
          }),
        ).toContain("a tenant's AppProject deploys only into its own namespace")
        // The platform project is cluster/'s: a copy that also reaches kube-system is refused.
        const platformProject = yield* kube.get({
          apiVersion: "argoproj.io/v1alpha1",
          kind: "AppProject",
          namespace: ARGOCD_NAMESPACE,
          name: "platform",
        })
        const spec = platformProject?.spec as { destinations: Array<unknown> }
        expect(
          yield* refusal({
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AppProject",
            metadata: { name: "platform", namespace: ARGOCD_NAMESPACE },
            spec: {
              ...spec,
              destinations: [
                ...spec.destinations,
                { server: "https://kubernetes.default.svc", namespace: "kube-system" },
              ],
            },
          }),
        ).toContain("the platform AppProject reaches exactly the namespaces cluster/ declares for it")
        // Nothing of it exists; globex is still globex's; acme's quota is still the platform's.
        for (const [kind, name] of [
          ["Application", "acme-into-globex"],
          ["Application", "acme-own-guardrails"],
          ["AppProject", "evil"],
        ] as const)
          expect(
            yield* kube.get({ apiVersion: "argoproj.io/v1alpha1", kind, namespace: ARGOCD_NAMESPACE, name }),
            name,
          ).toBeUndefined()
        const globexApi = yield* kube.get({
          apiVersion: "apps/v1",
          kind: "Deployment",
          namespace: "globex",
          name: "api",
        })
        expect(globexApi?.metadata.annotations?.["argocd.argoproj.io/tracking-id"]).toMatch(/^globex:/)
        expect(yield* asSynthesized(deployObject("acme/platform", "ResourceQuota", "tenant-quota"))).toEqual([])
      }),
  )

  it.effect("moves acme to the enterprise tier: quota and autoscaling follow on resync", () =>
    Effect.gen(function* () {
      const quotaBefore = deployObject("acme/platform", "ResourceQuota", "tenant-quota")
      repo.branch("acme-enterprise", "Move acme to enterprise", {
        "tenants/acme.ts": repo
          .example("acme")
          .replace('tier: "pro"', 'tier: "enterprise"')
          .replace("replicas: 2,", "replicas: 3,"),
      })
      const { seconds } = yield* deploy("acme-enterprise", ["acme"])
      timings["merge → tier change Synced + Healthy (s)"] = seconds
      const quota = deployObject("acme/platform", "ResourceQuota", "tenant-quota")
      expect(quota.spec).not.toEqual(quotaBefore.spec)
      expect(yield* asSynthesized(quota)).toEqual([])
      const autoscaler = deployObject("acme/app", "HorizontalPodAutoscaler", "api")
      expect(yield* asSynthesized(autoscaler)).toEqual([])
      const hpa = yield* live(autoscaler)
      expect((hpa?.spec as { maxReplicas?: number } | undefined)?.maxReplicas).toBe(20)
      expect(yield* availableReplicas("acme", 3)).toEqual({ wanted: 3, available: 3 })
    }),
  )

  it.effect("decommissions acme: its workload goes, its namespace, quota and credentials stay", () =>
    Effect.gen(function* () {
      const kube = yield* KubeApi
      repo.branch("decommission-acme", "Decommission acme", {
        "tenants/acme.ts": repo.example("acme").replace('name: "acme",', 'name: "acme",\n  state: "decommissioned",'),
      })
      repo.merge("decommission-acme")
      const started = performance.now()
      const head = yield* publishMain
      expect(
        deployObjects("acme/argocd").filter((o) => o.kind === "Application" && o.metadata.name === "acme"),
      ).toEqual([])
      yield* webhook
      yield* waitForApps(["tenants"], `Synced at ${head}`, synced(head))
      yield* waitForApps(["acme", "acme-platform"], "deleted", (state) => !state.exists)
      const deployment = { apiVersion: "apps/v1", kind: "Deployment", namespace: "acme", name: "api" }
      for (let attempt = 0; attempt < 120 && (yield* kube.get(deployment)); attempt++) yield* Effect.sleep("500 millis")
      timings["merge → acme decommissioned (s)"] = Math.round((performance.now() - started) / 100) / 10
      expect(yield* kube.get(deployment)).toBeUndefined()
      expect(yield* kube.get({ apiVersion: "v1", kind: "Service", namespace: "acme", name: "api" })).toBeUndefined()
      for (const retained of [
        { apiVersion: "v1", kind: "Namespace", name: "acme" },
        { apiVersion: "v1", kind: "ResourceQuota", namespace: "acme", name: "tenant-quota" },
        { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", namespace: "acme", name: "api-credentials" },
      ])
        expect(yield* kube.get(retained), retained.kind).toBeDefined()
      // The other tenants are untouched.
      yield* waitForApps(appsOf(FIRST_TENANTS), "still Synced and Healthy", synced(head))
    }),
  )

  it.effect("applies nothing from a deploy commit the bot did not sign", () =>
    Effect.gen(function* () {
      const kube = yield* KubeApi
      const signedHead = repo.deployHead()
      // Globex's platform manifest: its ResourceQuota is the one object there with a pod count.
      const quotaFile = "globex/platform/manifest.yaml"
      const quota = repo.deployTree().get(quotaFile) ?? ""
      // Whoever can push to deploy tries to grant themselves the cluster and lift a tenant's quota.
      const started = performance.now()
      const unsigned = repo.pushToDeploy("Widen everything", {
        "evil/argocd/appproject-evil.yaml": [
          "apiVersion: argoproj.io/v1alpha1",
          "kind: AppProject",
          "metadata: { name: evil, namespace: argocd }",
          "spec:",
          '  sourceRepos: ["*"]',
          '  destinations: [{ server: "*", namespace: "*" }]',
          '  clusterResourceWhitelist: [{ group: "*", kind: "*" }]',
          "",
        ].join("\n"),
        [quotaFile]: quota.replace(/pods: "?\d+"?/, 'pods: "1000"'),
      })
      yield* webhook
      const refused = (state: AppState) => /signature|GPG|gpg/.test(JSON.stringify(state.conditions))
      const [root, globexPlatform] = yield* waitForApps(
        ["tenants", "globex-platform"],
        "refusing the unsigned commit",
        refused,
        "3 minutes",
      )
      timings["unsigned push → refused by Argo CD (s)"] = Math.round((performance.now() - started) / 100) / 10
      expect(JSON.stringify(root?.conditions)).toMatch(/signature|GPG|gpg/)
      expect(JSON.stringify(globexPlatform?.conditions)).toMatch(/signature|GPG|gpg/)
      // Nothing of it reached the cluster: no project, the quota as the signed head had it.
      yield* Effect.sleep("5 seconds")
      expect(
        yield* kube.get({
          apiVersion: "argoproj.io/v1alpha1",
          kind: "AppProject",
          namespace: ARGOCD_NAMESPACE,
          name: "evil",
        }),
      ).toBeUndefined()
      const liveQuota = yield* kube.get({
        apiVersion: "v1",
        kind: "ResourceQuota",
        namespace: "globex",
        name: "tenant-quota",
      })
      expect((liveQuota?.spec as { hard?: Record<string, string> } | undefined)?.hard?.pods).not.toBe("1000")
      expect(signedHead).not.toBe(unsigned)
    }),
  )

  it.effect("reports what ran and how long the loop took", () =>
    Effect.gen(function* () {
      const controlPlane = yield* ControlPlane
      const argoCd = yield* ArgoCd
      const report = { versions: { ...controlPlane.versions, argocd: argoCd.version }, seconds: timings }
      yield* Effect.logInfo(`e2e report ${JSON.stringify(report)}`)
      process.stdout.write(`\ne2e: ${JSON.stringify(report, null, 2)}\n`)
      expect(Object.keys(timings)).toHaveLength(5)
    }),
  )
})
