import { randomBytes } from "node:crypto"
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ARGOCD_NAMESPACE } from "@ppi/config"
import { Context, Effect, Layer } from "effect"
import { ControlPlane } from "../control-plane/control-plane.ts"
import { daemon, freePort, listening, waitUntil } from "../control-plane/daemon.ts"
import { KubeApi } from "../control-plane/kube-api.ts"
import { installCrds } from "../scenario/crds.ts"
import { ensureBinary } from "../upstream/binary-cache.ts"
import { Components } from "../upstream/components.ts"
import { moduleDir } from "../upstream/module-source.ts"

export interface ArgoCdInfo {
  readonly version: string
  readonly logDir: string
}

/** Argo CD's application-controller and repo-server, running against the e2e control plane. */
export class ArgoCd extends Context.Service<ArgoCd, ArgoCdInfo>()("@ppi/e2e/ArgoCd") {}

/**
 * Kinds whose health depends on a controller this harness does not run (there is no ingress
 * controller, no metrics API and no External Secrets controller on loopback): Argo CD's built-in
 * checks would wait for an Ingress address, HPA metrics and ESO's Ready condition forever. Their
 * health is declared, and named as such in the Application's resource list; every other check
 * (Deployment rollout and availability, Service, PodDisruptionBudget, the provisioning hook Job) is
 * Argo CD's own.
 */
const NOT_ASSESSED: Readonly<Record<string, string>> = {
  "networking.k8s.io_Ingress": "no ingress controller in the e2e harness",
  autoscaling_HorizontalPodAutoscaler: "no metrics API in the e2e harness",
  "external-secrets.io_ExternalSecret": "no External Secrets controller in the e2e harness",
  "external-secrets.io_SecretStore": "no External Secrets controller in the e2e harness",
}

const declaredHealthy = (why: string) =>
  `hs = {}\nhs.status = "Healthy"\nhs.message = "not assessed: ${why}"\nreturn hs\n`

/**
 * What the upstream install manifest would create besides its Deployments: the namespace and the
 * settings objects the controller reads, with the settings `cluster/` patches in (annotation
 * tracking, no admin, no exec) and the declared health above.
 */
const settingsObjects = () => [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: ARGOCD_NAMESPACE } },
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argocd-cm", namespace: ARGOCD_NAMESPACE, labels: { "app.kubernetes.io/part-of": "argocd" } },
    data: {
      "application.resourceTrackingMethod": "annotation",
      "admin.enabled": "false",
      "exec.enabled": "false",
      ...Object.fromEntries(
        Object.entries(NOT_ASSESSED).map(([kind, why]) => [
          `resource.customizations.health.${kind}`,
          declaredHealthy(why),
        ]),
      ),
    },
  },
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "argocd-rbac-cm",
      namespace: ARGOCD_NAMESPACE,
      labels: { "app.kubernetes.io/part-of": "argocd" },
    },
  },
  {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "argocd-secret",
      namespace: ARGOCD_NAMESPACE,
      labels: { "app.kubernetes.io/part-of": "argocd" },
    },
    stringData: { "server.secretkey": randomBytes(32).toString("base64") },
  },
]

/**
 * Argo CD's folders as its image lays them out: keys, helper scripts on PATH, and the admin
 * kubeconfig set to Argo CD's namespace (the controller's namespace is its kubeconfig's).
 */
const prepareHome = (home: string, source: string, adminKubeconfig: string, options: ArgoCdOptions) => {
  for (const folder of ["tls", "ssh", "gpg-keys", "gpg-source", "home", "bin"])
    mkdirSync(join(home, folder), { recursive: true, mode: 0o700 })
  // What the argocd-gpg-keys-cm ConfigMap mounts in the repo-server: one file per key, named by its ID.
  for (const key of options.trustedKeys ?? []) writeFileSync(join(home, "gpg-source", key.keyID), key.publicKey)
  // The repo-server calls these helper scripts by name, as its image puts them on PATH (Dockerfile).
  for (const script of ["git-verify-wrapper.sh", "gpg-wrapper.sh"]) {
    copyFileSync(join(source, "hack", script), join(home, "bin", script))
    chmodSync(join(home, "bin", script), 0o755)
  }
  const kubeconfig = JSON.parse(readFileSync(adminKubeconfig, "utf8")) as {
    contexts: Array<{ context: Record<string, string> }>
  }
  for (const context of kubeconfig.contexts) context.context.namespace = ARGOCD_NAMESPACE
  const kubeconfigPath = join(home, "kubeconfig")
  writeFileSync(kubeconfigPath, JSON.stringify(kubeconfig))
  return kubeconfigPath
}

/** The environment of both Argo CD processes. */
const argoCdEnv = (home: string, kubeconfigPath: string, options: ArgoCdOptions) => ({
  PATH: `${join(home, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
  HOME: join(home, "home"),
  KUBECONFIG: kubeconfigPath,
  ARGOCD_FAKE_IN_CLUSTER: "true",
  ARGOCD_TLS_DATA_PATH: join(home, "tls"),
  ARGOCD_SSH_DATA_PATH: join(home, "ssh"),
  ARGOCD_GNUPGHOME: join(home, "gpg-keys"),
  ARGOCD_GPG_DATA_PATH: join(home, "gpg-source"),
  // On when the deploy branch is signed: the repo-server then verifies every commit it renders.
  ARGOCD_GPG_ENABLED: options.trustedKeys?.length ? "true" : "false",
  ARGOCD_CONTROLLER_REPLICAS: "1",
  ARGOCD_CONTROLLER_SHARD: "0",
  // The deploy repository is a local bare repository: git must not look for a system or user config.
  GIT_CONFIG_NOSYSTEM: "1",
})

const repoServerArgs = (port: number, metrics: number, redisPort: number) => [
  "--address=127.0.0.1",
  `--port=${port}`,
  `--metrics-port=${metrics}`,
  "--metrics-address=127.0.0.1",
  `--redis=127.0.0.1:${redisPort}`,
  "--disable-tls",
  // Its default points at the in-cluster mTLS mount, which plain-text serving refuses.
  "--client-ca-path=",
  "--loglevel=info",
]

const controllerArgs = (repoPort: number, metrics: number, redisPort: number) => [
  `--repo-server=127.0.0.1:${repoPort}`,
  "--repo-server-plaintext",
  `--redis=127.0.0.1:${redisPort}`,
  // The one listener not on loopback: the controller binds its metrics to 0.0.0.0, unconfigurably.
  `--metrics-port=${metrics}`,
  "--loglevel=info",
  // Faster retries of a failed self-heal than the production default; sync behaviour is unchanged.
  "--self-heal-timeout-seconds=2",
  // Keeps each object's health in the Application status (Argo CD 3 keeps it in Redis only),
  // so the test reads which health checks ran.
  "--persist-resource-health=true",
]

const healthy = (port: number) =>
  Effect.tryPromise(() => fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok))

/**
 * Argo CD the way its own local-development setup runs it (Procfile): Debian's redis-server, the
 * repo-server and the application-controller as processes on 127.0.0.1, with
 * ARGOCD_FAKE_IN_CLUSTER so that `https://kubernetes.default.svc` means the kubeconfig's cluster.
 * Its CRDs come from the pinned Argo CD module. Everything stops when the scope closes.
 */
const start = (options: ArgoCdOptions) =>
  Effect.gen(function* () {
    const controlPlane = yield* ControlPlane
    const kube = yield* KubeApi
    const argocd = yield* ensureBinary("argocd", "argocd")
    const source = yield* moduleDir(Components.argocd.upstream, argocd.version)
    yield* installCrds
    for (const object of settingsObjects()) yield* kube.apply(object)

    const home = join(controlPlane.dir, "argocd")
    const env = argoCdEnv(home, prepareHome(home, source, controlPlane.adminKubeconfig, options), options)

    const [redisPort, repoPort, repoMetrics, controllerMetrics] = [
      yield* freePort,
      yield* freePort,
      yield* freePort,
      yield* freePort,
    ]
    const redis = yield* daemon(
      "argocd-redis",
      "redis-server",
      ["--bind", "127.0.0.1", "--port", String(redisPort), "--save", "", "--appendonly", "no"],
      controlPlane.logDir,
    )
    const repoServer = yield* daemon(
      "argocd-repo-server",
      argocd.path,
      repoServerArgs(repoPort, repoMetrics, redisPort),
      controlPlane.logDir,
      { ...env, ARGOCD_BINARY_NAME: "argocd-repo-server" },
    )
    const controller = yield* daemon(
      "argocd-application-controller",
      argocd.path,
      controllerArgs(repoPort, controllerMetrics, redisPort),
      controlPlane.logDir,
      { ...env, ARGOCD_BINARY_NAME: "argocd-application-controller" },
    )
    yield* waitUntil(redis, "listening", listening(redisPort))
    yield* waitUntil(repoServer, "healthy", healthy(repoMetrics))
    yield* waitUntil(controller, "healthy", healthy(controllerMetrics))
    return { version: argocd.version, logDir: controlPlane.logDir }
  })

export interface ArgoCdOptions {
  /** Public keys the repo-server trusts for commit signatures (`argocd-gpg-keys-cm`); none: GPG off. */
  readonly trustedKeys?: ReadonlyArray<{ readonly keyID: string; readonly publicKey: string }>
}

export const argoCdLayerWith = (options: ArgoCdOptions) => Layer.effect(ArgoCd, start(options))
