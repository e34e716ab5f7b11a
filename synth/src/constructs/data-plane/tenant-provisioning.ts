import {
  generatedSecretOf,
  imageRef,
  type PinnedImage,
  POSTGRES_ADMIN_SECRET,
  type PostgresEndpoint,
  REDIS_ADMIN_SECRET,
  RESTRICTED_CONTAINER,
  type RedisEndpoint,
  type Tenant,
} from "@ppi/config"
import { POSTGRES_PROVISION_SQL, psqlArguments, REDIS_PROVISION_SCRIPT, redisVariables } from "@ppi/dataplane"
import { type Container, type EnvVar, KubeConfigMap, KubeJob, Quantity } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "../sync-wave.ts"
import type { TenantObjectProps } from "../tenant-context.ts"

const MOUNT = "/provision"
const RUN_AS = 65532

const value = (name: string, v: string): EnvVar => ({ name, value: v })
const fromSecret = (name: string, secret: string, key: string): EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
})

const hardened = (container: Omit<Container, "securityContext" | "resources" | "volumeMounts">): Container => ({
  ...container,
  securityContext: { ...RESTRICTED_CONTAINER, runAsUser: RUN_AS, runAsGroup: RUN_AS, privileged: false },
  resources: {
    requests: { cpu: Quantity.fromString("50m"), memory: Quantity.fromString("64Mi") },
    limits: { cpu: Quantity.fromString("200m"), memory: Quantity.fromString("64Mi") },
  },
  volumeMounts: [
    { name: "scripts", mountPath: MOUNT, readOnly: true },
    { name: "tmp", mountPath: "/tmp" },
  ],
})

export interface TenantProvisioningProps extends TenantObjectProps {
  /** Whose role, schema and ACL user to create; the tier decides its connection limit and scripting. */
  readonly tenant: Pick<Tenant, "name" | "tier">
  /** Here the platform namespace (`Platform.platformNamespace`), where the admin credentials live. */
  readonly namespace: string
  readonly postgres: typeof PostgresEndpoint.Type
  readonly redis: typeof RedisEndpoint.Type
  /** Managed services: TLS verified against their certificates. @default false (in-cluster services) */
  readonly cloud?: boolean
  /** The client images of the two steps (`Platform.images`). */
  readonly images: { readonly postgresClient: PinnedImage; readonly redisClient: PinnedImage }
}

/**
 * Creates the tenant's database role + schema and its Redis ACL user, in the platform namespace
 * where the admin credentials live (never in the tenant's). An Argo CD Sync hook, re-run on every
 * sync: both scripts are idempotent and repair drift; neither ever drops data.
 */
export class TenantProvisioning extends Construct {
  constructor(scope: Construct, id: string, props: TenantProvisioningProps) {
    super(scope, id)
    const name = `provision-${props.tenant.name}`
    const { namespace, labels, redis } = props
    new KubeConfigMap(this, "scripts", {
      metadata: { name, namespace, labels: { ...labels }, annotations: syncWave(SyncWave.tenantCredentials) },
      data: {
        "provision.sql": POSTGRES_PROVISION_SQL,
        "provision-redis.sh": REDIS_PROVISION_SCRIPT,
        ...(props.cloud && redis.caPem !== undefined ? { "redis-ca.pem": redis.caPem } : {}),
      },
    })
    new KubeJob(this, "job", {
      metadata: {
        name,
        namespace,
        labels: { ...labels },
        annotations: {
          ...syncWave(SyncWave.provisioning),
          "argocd.argoproj.io/hook": "Sync",
          "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        },
      },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: 600,
        template: {
          metadata: { labels: { ...labels, "app.kubernetes.io/component": "provisioning" } },
          spec: {
            restartPolicy: "OnFailure",
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: RUN_AS,
              runAsGroup: RUN_AS,
              seccompProfile: { type: "RuntimeDefault" },
            },
            // Database first, then cache: a failed step is retried without running the next one.
            initContainers: [databaseStep(props)],
            containers: [cacheStep(props)],
            volumes: [
              { name: "scripts", configMap: { name, defaultMode: 0o444 } },
              { name: "tmp", emptyDir: { sizeLimit: Quantity.fromString("16Mi") } },
            ],
          },
        },
      },
    })
  }
}

/** Creates or repairs the role and schema with `psql`, as the admin. */
const databaseStep = ({ tenant, postgres, cloud, images }: TenantProvisioningProps): Container =>
  hardened({
    name: "postgres",
    image: imageRef(images.postgresClient),
    command: ["psql", ...psqlArguments(tenant, `${MOUNT}/provision.sql`)],
    env: [
      value("PGHOST", postgres.host),
      value("PGPORT", String(postgres.port)),
      value("PGDATABASE", postgres.database),
      value("PGSSLMODE", cloud ? "verify-full" : "prefer"),
      value("PGCONNECT_TIMEOUT", "10"),
      fromSecret("PGUSER", POSTGRES_ADMIN_SECRET, "username"),
      fromSecret("PGPASSWORD", POSTGRES_ADMIN_SECRET, "password"),
      fromSecret("TENANT_DB_PASSWORD", generatedSecretOf(tenant.name), "POSTGRES_PASSWORD"),
    ],
  })

/** Creates or repairs the ACL user with `redis-cli`, as the admin. */
const cacheStep = ({ tenant, redis, cloud, images }: TenantProvisioningProps): Container =>
  hardened({
    name: "redis",
    image: imageRef(images.redisClient),
    command: ["sh", `${MOUNT}/provision-redis.sh`],
    env: [
      value("REDIS_HOST", redis.host),
      value("REDIS_PORT", String(redis.port)),
      ...Object.entries(redisVariables(tenant)).map(([key, v]) => value(key, v)),
      ...(cloud ? [value("REDIS_TLS", "true"), value("REDIS_TLS_CA_FILE", `${MOUNT}/redis-ca.pem`)] : []),
      fromSecret("REDIS_ADMIN_USER", REDIS_ADMIN_SECRET, "username"),
      fromSecret("REDIS_ADMIN_PASSWORD", REDIS_ADMIN_SECRET, "password"),
      fromSecret("TENANT_REDIS_PASSWORD", generatedSecretOf(tenant.name), "REDIS_PASSWORD"),
    ],
  })
