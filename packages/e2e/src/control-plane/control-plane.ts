import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Layer } from "effect"
import { parse, stringify } from "yaml"
import { ensureBinary } from "../upstream/binary-cache.ts"
import { Components, pinnedVersion } from "../upstream/components.ts"
import { moduleDir } from "../upstream/module-source.ts"
import { daemon, freePort, waitUntil } from "./daemon.ts"
import { KubeApi, type KubeObject, makeKubeApi } from "./kube-api.ts"
import { generatePki, writeKubeconfig } from "./pki.ts"

const SERVICE_CIDR = "10.96.0.0/16"
const SERVICE_IP = "10.96.0.1"

/** Fake nodes kwok plays the kubelet of: one per zone, so the enterprise tier's zone spread can schedule. */
const NODES = ["zone-a", "zone-b", "zone-c"].map(
  (zone, index): KubeObject => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `kwok-node-${index}`,
      annotations: { "kwok.x-k8s.io/node": "fake" },
      labels: {
        "kubernetes.io/hostname": `kwok-node-${index}`,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "topology.kubernetes.io/zone": zone,
        type: "kwok",
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: "64", memory: "256Gi", pods: "110", "ephemeral-storage": "1Ti" },
      capacity: { cpu: "64", memory: "256Gi", pods: "110", "ephemeral-storage": "1Ti" },
    },
  }),
)

/**
 * An API image kwok never makes ready: its pods stay Pending, as a release that cannot start
 * would (the rollout e2e's bad version). Every other pod becomes Ready at once.
 */
export const NEVER_READY_IMAGE = "ghcr.io/parametric-portal/api:9.9.9-unready"

/** kwok's fast pod-ready stage, except for pods running the never-ready image. */
const podReadyStage = (kwokSource: string, dir: string) => {
  const stage = parse(readFileSync(join(kwokSource, "kustomize/stage/pod/fast/pod-ready.yaml"), "utf8"))
  stage.spec.selector.matchExpressions.push({
    // The first container only: one value, whatever other pods (cluster/'s) carry beside it.
    key: ".spec.containers.[0].image",
    operator: "NotIn",
    values: [NEVER_READY_IMAGE],
  })
  const file = join(dir, "pod-ready.yaml")
  writeFileSync(file, stringify(stage))
  return file
}

export interface ControlPlaneInfo {
  readonly dir: string
  readonly server: string
  /** An admin (system:masters) kubeconfig, for other local processes (Argo CD). */
  readonly adminKubeconfig: string
  readonly logDir: string
  /** Versions of what runs, for the report. */
  readonly versions: Readonly<Record<string, string>>
}

export class ControlPlane extends Context.Service<ControlPlane, ControlPlaneInfo>()("@ppi/e2e/ControlPlane") {}

type Pki = ReturnType<typeof generatePki>

const etcdArgs = (dir: string, client: number, peer: number) => [
  "--name=e2e",
  `--data-dir=${join(dir, "etcd")}`,
  `--listen-client-urls=http://127.0.0.1:${client}`,
  `--advertise-client-urls=http://127.0.0.1:${client}`,
  `--listen-peer-urls=http://127.0.0.1:${peer}`,
  `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
  `--initial-cluster=e2e=http://127.0.0.1:${peer}`,
  // A throwaway store on a shared disk: durability buys nothing here.
  "--unsafe-no-fsync",
]

const apiserverArgs = (dir: string, pki: Pki, etcdClient: number, apiPort: number) => [
  `--etcd-servers=http://127.0.0.1:${etcdClient}`,
  "--bind-address=127.0.0.1",
  "--advertise-address=127.0.0.1",
  `--secure-port=${apiPort}`,
  `--cert-dir=${join(dir, "apiserver-certs")}`,
  `--tls-cert-file=${pki.apiserver.cert}`,
  `--tls-private-key-file=${pki.apiserver.key}`,
  `--client-ca-file=${pki.ca}`,
  `--service-account-key-file=${pki.serviceAccount.pub}`,
  `--service-account-signing-key-file=${pki.serviceAccount.key}`,
  "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
  `--service-cluster-ip-range=${SERVICE_CIDR}`,
  "--authorization-mode=Node,RBAC",
  // Named explicitly (they are also on by default) because they are what the test proves.
  "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,ResourceQuota",
  // Privileged containers are allowed by the server, so a rejection can only come from Pod Security.
  "--allow-privileged=true",
  // A loopback address cannot back the `kubernetes` Service's endpoints.
  "--endpoint-reconciler-type=none",
  "--profiling=false",
]

const controllerManagerArgs = (kubeconfig: string, pki: Pki) => [
  `--kubeconfig=${kubeconfig}`,
  "--bind-address=127.0.0.1",
  "--secure-port=0",
  "--leader-elect=false",
  "--use-service-account-credentials=true",
  `--service-account-private-key-file=${pki.serviceAccount.key}`,
  `--root-ca-file=${pki.ca}`,
  `--service-cluster-ip-range=${SERVICE_CIDR}`,
]

const schedulerArgs = (kubeconfig: (name: string) => string) => [
  `--kubeconfig=${kubeconfig("scheduler")}`,
  `--authentication-kubeconfig=${kubeconfig("scheduler-authn")}`,
  `--authorization-kubeconfig=${kubeconfig("scheduler-authz")}`,
  "--bind-address=127.0.0.1",
  "--secure-port=0",
  "--leader-elect=false",
]

/** kwok fakes the kubelets of the nodes annotated for it, pods going ready, completing and deleted at once. */
const kwokArgs = (kubeconfig: string, kwokSource: string, dir: string) => [
  `--kubeconfig=${kubeconfig}`,
  "--manage-all-nodes=false",
  "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
  "--node-ip=127.0.0.1",
  "--cidr=10.244.0.0/16",
  ...["node/fast/node-initialize.yaml", "node/heartbeat/node-heartbeat.yaml"]
    .concat(["pod-complete", "pod-delete"].map((stage) => `pod/fast/${stage}.yaml`))
    .map((file) => join(kwokSource, "kustomize/stage", file))
    .concat([podReadyStage(kwokSource, dir)])
    .map((file) => `--config=${file}`),
]

/** The controller manager is up once its token controller has made the default ServiceAccount. */
const serviceAccountsMade = (kube: ReturnType<typeof makeKubeApi>) =>
  kube
    .get({ apiVersion: "v1", kind: "ServiceAccount", namespace: "default", name: "default" })
    .pipe(Effect.map((account) => account !== undefined))

/** Every fake node is registered and Ready. */
const nodesReady = (kube: ReturnType<typeof makeKubeApi>) =>
  kube
    .list("v1", "Node")
    .pipe(
      Effect.map(
        (nodes) =>
          nodes.length === NODES.length &&
          nodes.every((node) =>
            ((node.status as { conditions?: ReadonlyArray<{ type: string; status: string }> }).conditions ?? []).some(
              (condition) => condition.type === "Ready" && condition.status === "True",
            ),
          ),
      ),
    )

/** A temporary folder with a logs folder, removed when the scope closes unless PPI_E2E_KEEP is set. */
const scratchDir = Effect.gen(function* () {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "ppi-e2e-"))),
    (dir) => Effect.sync(() => (process.env.PPI_E2E_KEEP ? undefined : rmSync(dir, { recursive: true, force: true }))),
  )
  const logDir = join(dir, "logs")
  mkdirSync(logDir)
  yield* Effect.logInfo(`control plane in ${dir}`)
  return { dir, logDir }
})

/** The pinned binaries, built once into the cache, and kwok's source for its stage files. */
const binaries = Effect.gen(function* () {
  return {
    etcd: yield* ensureBinary("etcd", "etcd"),
    apiserver: yield* ensureBinary("kubernetes", "kube-apiserver"),
    controllerManager: yield* ensureBinary("kubernetes", "kube-controller-manager"),
    scheduler: yield* ensureBinary("kubernetes", "kube-scheduler"),
    kwok: yield* ensureBinary("kwok", "kwok"),
    kwokSource: yield* moduleDir(Components.kwok.upstream, pinnedVersion(Components.kwok)),
  }
})

/**
 * etcd, kube-apiserver (Pod Security, ResourceQuota and LimitRanger admission), the controller
 * manager, the scheduler and kwok with three fake nodes, all on 127.0.0.1 on free ports, in a
 * temporary folder. Everything stops and the folder goes when the scope closes, on failure too
 * (logs are kept when PPI_E2E_KEEP is set).
 */
const start = Effect.gen(function* () {
  const { dir, logDir } = yield* scratchDir
  const { etcd, apiserver, controllerManager, scheduler, kwok, kwokSource } = yield* binaries

  const pki = generatePki(join(dir, "pki"), SERVICE_IP)
  const [etcdClient, etcdPeer, apiPort] = [yield* freePort, yield* freePort, yield* freePort]
  const server = `https://127.0.0.1:${apiPort}`
  const kubeconfig = (name: string, identity: { cert: string; key: string }) =>
    writeKubeconfig(join(dir, `${name}.kubeconfig`), server, pki.ca, identity)

  const etcdProcess = yield* daemon("etcd", etcd.path, etcdArgs(dir, etcdClient, etcdPeer), logDir)
  yield* waitUntil(
    etcdProcess,
    "healthy",
    Effect.tryPromise(() => fetch(`http://127.0.0.1:${etcdClient}/health`).then((response) => response.ok)),
  )

  const apiserverProcess = yield* daemon(
    "kube-apiserver",
    apiserver.path,
    apiserverArgs(dir, pki, etcdClient, apiPort),
    logDir,
  )
  const kube = makeKubeApi({ server, ca: pki.ca, cert: pki.admin.cert, key: pki.admin.key })
  yield* waitUntil(apiserverProcess, "ready", kube.request("GET", "/readyz").pipe(Effect.as(true)))

  const controllerManagerProcess = yield* daemon(
    "kube-controller-manager",
    controllerManager.path,
    controllerManagerArgs(kubeconfig("controller-manager", pki.controllerManager), pki),
    logDir,
  )
  const schedulerProcess = yield* daemon(
    "kube-scheduler",
    scheduler.path,
    schedulerArgs((name) => kubeconfig(name, pki.scheduler)),
    logDir,
  )
  const adminKubeconfig = kubeconfig("admin", pki.admin)
  const kwokProcess = yield* daemon("kwok", kwok.path, kwokArgs(adminKubeconfig, kwokSource, dir), logDir)

  yield* waitUntil(controllerManagerProcess, "creating service accounts", serviceAccountsMade(kube))
  // Created, not applied: a Node's status (its capacity) is only accepted on create.
  for (const node of NODES) yield* kube.create(node)
  yield* waitUntil(kwokProcess, "reporting its nodes Ready", nodesReady(kube))
  yield* waitUntil(schedulerProcess, "running", Effect.succeed(true))

  return {
    dir,
    server,
    adminKubeconfig,
    logDir,
    versions: { etcd: etcd.version, kubernetes: apiserver.version, kwok: kwok.version },
    kube,
  }
})

/** The control plane and an admin client to it, for one test file. */
export const controlPlaneLayer = Layer.effectContext(
  start.pipe(Effect.map(({ kube, ...info }) => Context.make(ControlPlane, info).pipe(Context.add(KubeApi, kube)))),
)
