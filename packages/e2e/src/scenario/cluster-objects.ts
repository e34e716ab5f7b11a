import { execFile, execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { ensureKustomize } from "@ppi/bench"
import { Manifests, Versions } from "@ppi/cluster/src/versions.ts"
import { Effect, Schema } from "effect"
import { parseAllDocuments } from "yaml"
import { KubeApi, type KubeApiError, type KubeObject } from "../control-plane/kube-api.ts"
import { type ModuleUnavailable, moduleDir } from "../upstream/module-source.ts"
import { applyOrder, type Placed, undeclaredNeeds } from "./apply-order.ts"
import { REPO } from "./synthesized.ts"

/** A resource as the cluster program registers it under Pulumi's mocks. */
interface Registered {
  readonly type: string
  readonly name: string
  readonly inputs: Record<string, unknown>
  readonly provider?: string
  readonly urn: string
  readonly parent?: string
  readonly dependencies: ReadonlyArray<string>
}

export class CaptureFailed extends Schema.TaggedError<CaptureFailed>()("CaptureFailed", {
  mode: Schema.String,
  detail: Schema.String,
  /** The failed child process, when there was one. */
  cause: Schema.optional(Schema.Defect()),
}) {
  override get message(): string {
    return `the cluster program under mocks (${this.mode}) failed: ${this.detail}`
  }
}

/** Every resource `cluster/` registers in `mode`, from its own process (the program runs once per process). */
const capture = (mode: "selfhosted" | "cloud", platformFile: string | undefined) =>
  Effect.callback<ReadonlyArray<Registered>, CaptureFailed>((resume) => {
    execFile(
      process.execPath,
      [
        "--disable-warning=ExperimentalWarning",
        "src/testing/capture-main.ts",
        mode,
        ...(platformFile ? [platformFile] : []),
      ],
      { cwd: join(REPO, "cluster"), maxBuffer: 1 << 26 },
      (error, stdout, stderr) =>
        resume(
          error
            ? Effect.fail(new CaptureFailed({ mode, detail: String(stderr) || String(error), cause: error }))
            : Effect.succeed(JSON.parse(String(stdout)) as ReadonlyArray<Registered>),
        ),
    )
  })

/** Pulumi wraps secret values in a signature object; the API server gets the value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d"
const unwrapSecrets = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(unwrapSecrets)
  if (value === null || typeof value !== "object") return value
  const record = value as Record<string, unknown>
  if (SECRET_SIG in record) return unwrapSecrets(record.value)
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, unwrapSecrets(inner)]))
}

const documentsOf = (path: string): ReadonlyArray<KubeObject> =>
  parseAllDocuments(readFileSync(path, "utf8"))
    .map((document) => document.toJSON() as KubeObject | null)
    .filter((object): object is KubeObject => object?.kind !== undefined)

/**
 * The release manifests `cluster/` installs by URL, read from the same releases' Go modules: the
 * module zips carry the same files. Where a release manifest is built rather than committed, what
 * the module has is used and the rest is named in `notApplied`.
 */
const manifestSources = Effect.gen(function* () {
  const argoCd = yield* moduleDir("github.com/argoproj/argo-cd/v3", Versions.argoCd)
  const externalSecrets = yield* moduleDir("github.com/external-secrets/external-secrets", Versions.externalSecrets)
  const certManager = yield* moduleDir("github.com/cert-manager/cert-manager", Versions.certManager)
  // cert-manager's CRDs are Helm templates in its module; their only templated fields are labels,
  // rendered here as its release manifest renders them.
  const certManagerCrds = readdirSync(join(certManager, "deploy/crds"))
    .filter((file) => file.endsWith(".yaml"))
    .flatMap((file) => documentsOf(join(certManager, "deploy/crds", file)))
    .map((crd) => ({
      ...crd,
      metadata: {
        name: crd.metadata.name,
        labels: {
          app: "cert-manager",
          "app.kubernetes.io/name": "cert-manager",
          "app.kubernetes.io/instance": "cert-manager",
          "app.kubernetes.io/version": Versions.certManager,
        },
      },
    }))
  // metrics-server's release manifest is `kustomize build manifests/overlays/release` of its module.
  const metricsServer = yield* moduleDir("sigs.k8s.io/metrics-server", Versions.metricsServer)
  const kustomize = yield* Effect.promise(() => ensureKustomize())
  if (kustomize === undefined) return yield* new CaptureFailed({ mode: "any", detail: "kustomize could not be built" })
  const metricsObjects = parseAllDocuments(
    execFileSync(kustomize, ["build", join(metricsServer, "manifests/overlays/release")], { encoding: "utf8" }),
  )
    .map((document) => document.toJSON() as KubeObject)
    // Its pods do not run on kwok: the aggregated API it would register could never be served,
    // and an unavailable APIService breaks discovery for every client (Argo CD's included).
    .filter((object) => object.kind !== "APIService")
  return new Map<string, { readonly objects: ReadonlyArray<KubeObject>; readonly missing?: string }>([
    [
      Manifests.metricsServer,
      {
        objects: metricsObjects,
        missing: "metrics-server's APIService v1beta1.metrics.k8s.io (no metrics are served on kwok)",
      },
    ],
    [Manifests.argoCd, { objects: documentsOf(join(argoCd, "manifests/install.yaml")) }],
    [Manifests.externalSecretsCrds, { objects: documentsOf(join(externalSecrets, "deploy/crds/bundle.yaml")) }],
    [
      Manifests.certManager,
      {
        objects: certManagerCrds,
        missing: "cert-manager's controller, cainjector and webhook (its release manifest is built, not in the module)",
      },
    ],
    [
      Manifests.longhorn,
      { objects: [], missing: "Longhorn's manifest (longhorn/longhorn is not a Go module); only the StorageClass" },
    ],
  ])
})

/**
 * An object, the namespace Pulumi gives it when it names none (its provider's, else `default`),
 * and the URN of the resource that declares it.
 */
export type Declared = Placed

export interface ClusterObjects {
  /** Every Kubernetes object the program declares, in the order to apply them. */
  readonly objects: ReadonlyArray<Declared>
  /** What the program declares that the harness cannot apply, and why. */
  readonly notApplied: ReadonlyArray<string>
  /** Namespaces and CRDs an object needs from another resource without waiting for it (should be none). */
  readonly undeclaredNeeds: ReadonlyArray<string>
}

/** What `cluster/` declares in `mode`, as Kubernetes objects (platform file: the repository's, or `platformFile`). */
export const clusterObjects = (
  mode: "selfhosted" | "cloud",
  platformFile?: string,
): Effect.Effect<ClusterObjects, CaptureFailed | ModuleUnavailable> =>
  Effect.gen(function* () {
    const registered = yield* capture(mode, platformFile)
    const sources = yield* manifestSources
    const objects: Array<Declared> = []
    const notApplied = new Set<string>()
    const providerNamespace = (resource: Registered) => {
      const provider = registered.find(
        (candidate) =>
          candidate.type === "pulumi:providers:kubernetes" && resource.provider?.includes(`::${candidate.name}::`),
      )
      return String(provider?.inputs.namespace ?? "default")
    }
    for (const resource of registered) {
      const defaultNamespace = providerNamespace(resource)
      if (resource.type === "kubernetes:yaml/v2:ConfigFile") {
        const source = sources.get(String(resource.inputs.file))
        if (source === undefined)
          return yield* new CaptureFailed({ mode, detail: `no local copy of ${resource.inputs.file}` })
        objects.push(...source.objects.map((object) => ({ object, defaultNamespace, resource: resource.urn })))
        if (source.missing) notApplied.add(source.missing)
      } else if (resource.type.startsWith("kubernetes:")) {
        // A `…Patch` resource is server-side apply of the same fields: the object itself, as a patch.
        objects.push({ object: unwrapSecrets(resource.inputs) as KubeObject, defaultNamespace, resource: resource.urn })
      } else if (resource.type.startsWith("command:"))
        notApplied.add(`${resource.type} ${resource.name} (runs on nodes over SSH)`)
      // random:* (passwords) and ppi:* (components) are not Kubernetes objects.
    }
    return {
      objects: applyOrder(objects, registered),
      notApplied: [...notApplied].sort(),
      undeclaredNeeds: undeclaredNeeds(objects, registered),
    }
  })

const established = (crd: KubeObject | undefined) =>
  (
    (crd?.status as { conditions?: ReadonlyArray<{ type: string; status: string }> } | undefined)?.conditions ?? []
  ).some((condition) => condition.type === "Established" && condition.status === "True")

/**
 * Applies them as `pulumi up` would (server-side apply, strict field validation, its own field
 * manager), waiting for every CRD to be served before the objects after it. Returns the refusals.
 */
export const applyClusterObjects = (declared: ReadonlyArray<Declared>) =>
  Effect.gen(function* () {
    const kube = yield* KubeApi
    const refused: Array<string> = []
    // CRDs accepted and not yet waited for: each is served before the first object after it. A
    // refused CRD is reported, not waited for; a busy API server may take a while to serve the rest.
    let pending: Array<KubeObject> = []
    for (const { object: named, defaultNamespace } of declared) {
      if (named.kind !== "CustomResourceDefinition" && pending.length > 0) {
        for (const crd of pending)
          for (
            let attempt = 0;
            !established(yield* kube.get({ apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name }));
            attempt++
          ) {
            if (attempt > 1200) return yield* Effect.die(new Error(`CRD ${crd.metadata.name} never became Established`))
            yield* Effect.sleep("250 millis")
          }
        pending = []
      }
      // As Pulumi does: a namespaced object that names no namespace gets its provider's.
      const namespaced = yield* kube.namespaced(named.apiVersion, named.kind).pipe(Effect.orElseSucceed(() => false))
      const object =
        named.metadata.namespace === undefined && namespaced
          ? { ...named, metadata: { ...named.metadata, namespace: defaultNamespace } }
          : named
      yield* kube.apply(object, "pulumi").pipe(
        Effect.tap(() =>
          Effect.sync(() => {
            if (named.kind === "CustomResourceDefinition") pending.push(named)
          }),
        ),
        Effect.catchTag("KubeApiError", (error: KubeApiError) =>
          Effect.sync(() => {
            refused.push(`${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}: ${error.detail}`)
          }),
        ),
      )
    }
    return refused
  })
