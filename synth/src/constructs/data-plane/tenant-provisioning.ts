import { endpoints, imageRef, RESTRICTED_CONTAINER } from "@ppi/config"
import { POSTGRES_PROVISION_SQL, psqlArguments, REDIS_PROVISION_SCRIPT, redisVariables } from "@ppi/dataplane"
import { type Container, type EnvVar, KubeConfigMap, KubeJob, Quantity } from "cdk8s-plus-28/lib/imports/k8s.js"
import { Construct } from "constructs"
import { SyncWave, syncWave } from "../sync-wave.ts"
import type { TenantContext } from "../tenant-context.ts"
import { generatedSecretOf, POSTGRES_ADMIN_SECRET, REDIS_ADMIN_SECRET } from "./credential-names.ts"

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

/**
 * Creates the tenant's database role + schema and its Redis ACL user, in the platform namespace
 * where the admin credentials live (never in the tenant's). An Argo CD Sync hook, re-run on every
 * sync: both scripts are idempotent and repair drift; neither ever drops data.
 */
export class TenantProvisioning extends Construct {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id)
    const { tenant, platform, labels } = context
    const { postgres, redis } = endpoints(platform)
    const cloud = platform.mode === "cloud"
    const name = `provision-${tenant.name}`
    const namespace = platform.platformNamespace
    const generated = generatedSecretOf(tenant.name)

    new KubeConfigMap(this, "scripts", {
      metadata: { name, namespace, labels: { ...labels }, annotations: syncWave(SyncWave.tenantCredentials) },
      data: {
        "provision.sql": POSTGRES_PROVISION_SQL,
        "provision-redis.sh": REDIS_PROVISION_SCRIPT,
        ...(cloud && redis.caPem !== undefined ? { "redis-ca.pem": redis.caPem } : {}),
      },
    })

    const database = hardened({
      name: "postgres",
      image: imageRef(platform.images.postgresClient),
      command: ["psql", ...psqlArguments(tenant, `${MOUNT}/provision.sql`)],
      env: [
        value("PGHOST", postgres.host),
        value("PGPORT", String(postgres.port)),
        value("PGDATABASE", postgres.database),
        value("PGSSLMODE", cloud ? "verify-full" : "prefer"),
        value("PGCONNECT_TIMEOUT", "10"),
        fromSecret("PGUSER", POSTGRES_ADMIN_SECRET, "username"),
        fromSecret("PGPASSWORD", POSTGRES_ADMIN_SECRET, "password"),
        fromSecret("TENANT_DB_PASSWORD", generated, "POSTGRES_PASSWORD"),
      ],
    })
    const cache = hardened({
      name: "redis",
      image: imageRef(platform.images.redisClient),
      command: ["sh", `${MOUNT}/provision-redis.sh`],
      env: [
        value("REDIS_HOST", redis.host),
        value("REDIS_PORT", String(redis.port)),
        ...Object.entries(redisVariables(tenant)).map(([key, v]) => value(key, v)),
        ...(cloud ? [value("REDIS_TLS", "true"), value("REDIS_TLS_CA_FILE", `${MOUNT}/redis-ca.pem`)] : []),
        fromSecret("REDIS_ADMIN_USER", REDIS_ADMIN_SECRET, "username"),
        fromSecret("REDIS_ADMIN_PASSWORD", REDIS_ADMIN_SECRET, "password"),
        fromSecret("TENANT_REDIS_PASSWORD", generated, "REDIS_PASSWORD"),
      ],
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
            initContainers: [database],
            containers: [cache],
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
