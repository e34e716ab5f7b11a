import { POSTGRES_ADMIN_SECRET, REDIS_ADMIN_SECRET } from "@ppi/config"
import { MAX_BUSY_SCRIPT_SECONDS, REDIS_ACL_INIT_SCRIPT, REDIS_WATCHDOG, redisServerArgs } from "@ppi/dataplane"
import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import * as random from "@pulumi/random"
import { Images } from "../versions.ts"
import { labels, logical, type Opts } from "./common.ts"

interface Service {
  readonly name: "postgres" | "redis" | "garage"
  readonly image: string
  readonly port: number
  readonly storage: string
  readonly args?: ReadonlyArray<string>
  readonly env?: ReadonlyArray<k8s.types.input.core.v1.EnvVar>
  readonly config?: { readonly secret: string; readonly mountPath: string }
  /**
   * A step before the server, with the config Secret (read-only) and the data volume mounted;
   * when present, only this step sees the Secret.
   */
  readonly init?: { readonly script: string; readonly env: ReadonlyArray<k8s.types.input.core.v1.EnvVar> }
  /** A long-running helper beside the server (same image, no volumes). */
  readonly sidecar?: {
    readonly name: string
    readonly script: string
    readonly env: ReadonlyArray<k8s.types.input.core.v1.EnvVar>
  }
  /** Memory request and limit in MiB, when the service's own bound sets them. */
  readonly memoryMiB?: { readonly request: number; readonly limit: number }
}

const DATA = "/data"
/** What every container of the data services drops; the pod adds non-root and the seccomp profile. */
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } }

type Container = k8s.types.input.core.v1.Container

/** The server, the init step before it and the sidecar beside it, as `service` asks for them. */
const containersOf = (service: Service): { initContainers: Array<Container>; containers: Array<Container> } => {
  const dataMount = { name: "data", mountPath: DATA }
  const configMount = service.config ? [{ name: "config", mountPath: service.config.mountPath, readOnly: true }] : []
  const server: Container = {
    name: service.name,
    image: service.image,
    args: [...(service.args ?? [])],
    env: [...(service.env ?? [])],
    ports: [{ containerPort: service.port }],
    securityContext: CONTAINER_SECURITY,
    resources: {
      requests: { cpu: "250m", memory: service.memoryMiB ? `${service.memoryMiB.request}Mi` : "512Mi" },
      limits: { cpu: "2", memory: service.memoryMiB ? `${service.memoryMiB.limit}Mi` : "2Gi" },
    },
    volumeMounts: [dataMount, ...(service.init ? [] : configMount)],
  }
  const init = service.init && {
    name: `${service.name}-init`,
    image: service.image,
    command: ["sh", "-c", service.init.script],
    env: [...service.init.env],
    securityContext: CONTAINER_SECURITY,
    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
    volumeMounts: [dataMount, ...configMount],
  }
  const sidecar = service.sidecar && {
    name: service.sidecar.name,
    image: service.image,
    command: ["sh", "-c", service.sidecar.script],
    env: [...service.sidecar.env],
    securityContext: CONTAINER_SECURITY,
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
  }
  return { initContainers: init ? [init] : [], containers: sidecar ? [server, sidecar] : [server] }
}

/** One stateful data service on a Longhorn volume, reachable as `<name>.<namespace>` with the labels tenants' NetworkPolicies allow. */
const statefulService = (opts: pulumi.CustomResourceOptions, stack: string, namespace: string, service: Service) => {
  const meta = { name: service.name, namespace, labels: labels(service.name) }
  const selector = { "app.kubernetes.io/name": service.name }
  new k8s.core.v1.Service(
    logical(stack, service.name, "service"),
    { metadata: meta, spec: { selector, ports: [{ port: service.port, targetPort: service.port }] } },
    opts,
  )
  return new k8s.apps.v1.StatefulSet(
    logical(stack, service.name),
    {
      metadata: meta,
      spec: {
        serviceName: service.name,
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: labels(service.name) },
          spec: {
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 999,
              fsGroup: 999,
              seccompProfile: { type: "RuntimeDefault" },
            },
            ...containersOf(service),
            volumes: service.config ? [{ name: "config", secret: { secretName: service.config.secret } }] : [],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: "longhorn",
              resources: { requests: { storage: service.storage } },
            },
          },
        ],
      },
    },
    opts,
  )
}

/** A random admin password, a Pulumi secret from birth. */
const password = (parent: pulumi.Resource, name: string) =>
  new random.RandomPassword(name, { length: 40, special: false }, { parent }).result

export interface SelfHostedDataServicesArgs {
  readonly stack: string
  /** Where the three services run (`dataNamespaceOf` the platform file's endpoint). */
  readonly dataNamespace: string
  /** Where the provisioning Jobs read the admin credentials (`Platform.platformNamespace`). */
  readonly platformNamespace: string
  /** The shared database tenants get a schema in. */
  readonly database: string
  /** From the platform file, which the synth's fleet check sums the tier limits against. */
  readonly postgresMaxConnections: number
  readonly redisMaxClients: number
  readonly redisMaxMemoryMiB: number
}

/** PostgreSQL, its admin password from the server Secret. */
const postgresService = (args: SelfHostedDataServicesArgs): Service => ({
  name: "postgres",
  image: Images.postgres,
  port: 5432,
  storage: "50Gi",
  // Explicit, so the tier limits the synth checks the fleet against are what the server allows.
  args: ["postgres", "-c", `max_connections=${args.postgresMaxConnections}`],
  env: [
    { name: "POSTGRES_DB", value: args.database },
    { name: "PGDATA", value: "/data/pgdata" },
    { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: POSTGRES_ADMIN_SECRET, key: "password" } } },
  ],
})

/** Redis with an ACL file copied to the data volume, `maxmemory`/`maxclients` and the watchdog (scripts, per-tenant clients). */
const redisService = (args: SelfHostedDataServicesArgs): Service => ({
  name: "redis",
  image: Images.redis,
  port: 6379,
  storage: "10Gi",
  args: [
    "redis-server",
    ...redisServerArgs({
      aclFile: `${DATA}/users.acl`,
      dataDir: DATA,
      maxMemoryMiB: args.redisMaxMemoryMiB,
      maxClients: args.redisMaxClients,
    }),
  ],
  // maxmemory counts the data only: client buffers (capped at 10 % more), and the copy-on-write
  // of an append-only-file rewrite under writes (up to the data again) come on top.
  memoryMiB: { request: args.redisMaxMemoryMiB, limit: 2 * args.redisMaxMemoryMiB },
  // The Secret is read-only and ACL SAVE needs a writable folder: the init step merges the
  // Secret's users into the copy on the data volume, where tenants' users persist.
  config: { secret: "redis-acl", mountPath: "/etc/redis" },
  sidecar: {
    name: "watchdog",
    script: REDIS_WATCHDOG,
    env: [
      { name: "REDIS_PORT", value: "6379" },
      { name: "REDIS_ADMIN_USER", value: "platform-admin" },
      { name: "REDIS_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-acl", key: "password" } } },
      { name: "MAX_SCRIPT_SECONDS", value: String(MAX_BUSY_SCRIPT_SECONDS) },
    ],
  },
  init: {
    script: REDIS_ACL_INIT_SCRIPT,
    env: [
      { name: "ACL_SOURCE", value: "/etc/redis/users.acl" },
      { name: "ACL_FILE", value: `${DATA}/users.acl` },
    ],
  },
})

/**
 * Self-hosted mode: the shared PostgreSQL (`max_connections` explicit), Redis (ACL file with an
 * admin user, `default` off, copied to the data volume so provisioning can save tenant users;
 * `maxmemory` with `noeviction`, `maxclients`) and
 * Garage (S3-compatible storage) in `platform-data`, on Longhorn volumes; the admin credentials
 * the provisioning Jobs use, as Secrets in the platform namespace only.
 */
export class SelfHostedDataServices extends pulumi.ComponentResource {
  readonly adminSecrets: ReadonlyArray<k8s.core.v1.Secret>

  constructor(name: string, args: SelfHostedDataServicesArgs, opts?: Opts) {
    super("ppi:data:SelfHostedDataServices", name, {}, opts)
    const parent = { parent: this }
    const namespace = new k8s.core.v1.Namespace(
      logical(args.stack, "data-namespace"),
      { metadata: { name: args.dataNamespace, labels: labels("platform-data") } },
      parent,
    )
    // What runs in the data namespace waits for it: the engine creates independent resources at once.
    const inData = { parent: this, dependsOn: [namespace] }
    const pg = password(this, logical(args.stack, "postgres-admin-password"))
    const redis = password(this, logical(args.stack, "redis-admin-password"))
    const secret = (id: string, name: string, namespace: string, data: Record<string, pulumi.Input<string>>) =>
      new k8s.core.v1.Secret(
        logical(args.stack, id),
        { metadata: { name, namespace, labels: labels(name) }, stringData: data },
        namespace === args.dataNamespace ? inData : parent,
      )
    secret("postgres-server-secret", POSTGRES_ADMIN_SECRET, args.dataNamespace, { password: pg })
    secret("redis-acl", "redis-acl", args.dataNamespace, {
      "users.acl": pulumi.interpolate`user platform-admin on >${redis} ~* &* +@all\nuser default off\n`,
      // For the watchdog beside the server.
      password: redis,
    })
    this.adminSecrets = [
      secret("postgres-admin", POSTGRES_ADMIN_SECRET, args.platformNamespace, { username: "postgres", password: pg }),
      secret("redis-admin", REDIS_ADMIN_SECRET, args.platformNamespace, {
        username: "platform-admin",
        password: redis,
      }),
    ]
    statefulService(inData, args.stack, args.dataNamespace, postgresService(args))
    statefulService(inData, args.stack, args.dataNamespace, redisService(args))
    statefulService(inData, args.stack, args.dataNamespace, {
      name: "garage",
      image: Images.garage,
      port: 3900,
      storage: "100Gi",
    })
    this.registerOutputs({})
  }
}

/** Cloud mode: nothing runs in-cluster; the managed services' admin credentials come from stack secrets. */
export class ManagedDataEndpoints extends pulumi.ComponentResource {
  readonly adminSecrets: ReadonlyArray<k8s.core.v1.Secret>

  constructor(
    name: string,
    args: {
      readonly stack: string
      readonly platformNamespace: string
      readonly postgresPassword: pulumi.Output<string>
      readonly redisPassword: pulumi.Output<string>
    },
    opts?: Opts,
  ) {
    super("ppi:data:ManagedDataEndpoints", name, {}, opts)
    const secret = (id: string, name: string, data: Record<string, pulumi.Input<string>>) =>
      new k8s.core.v1.Secret(
        logical(args.stack, id),
        { metadata: { name, namespace: args.platformNamespace, labels: labels(name) }, stringData: data },
        { parent: this },
      )
    this.adminSecrets = [
      secret("postgres-admin", POSTGRES_ADMIN_SECRET, {
        username: "platform_admin",
        password: pulumi.secret(args.postgresPassword),
      }),
      secret("redis-admin", REDIS_ADMIN_SECRET, {
        username: "platform-admin",
        password: pulumi.secret(args.redisPassword),
      }),
    ]
    this.registerOutputs({})
  }
}
