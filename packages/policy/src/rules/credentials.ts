import {
  CREDENTIALS_READER,
  CREDENTIALS_SECRET,
  dbRoleOf,
  dbSchemaOf,
  generatedSecretOf,
  IN_CLUSTER,
  PLATFORM_SECRET_STORE,
  passwordGeneratorOf,
  redisKeyPrefixOf,
  redisUserOf,
} from "@ppi/config"
import { POSTGRES_PROVISION_SQL, REDIS_PROVISION_SCRIPT } from "@ppi/dataplane"
import { field, isRecord, list } from "../kube-object.ts"
import { containersOf, podSpecOf } from "../pod-spec.ts"
import { namespaceRole } from "../tree/placement.ts"
import { perObject, type TreeRule } from "../tree/rule.ts"

/**
 * The data plane's objects judged by whose credentials they touch. The platform namespace holds
 * every tenant's credentials and the admin ones, so what a tenant folder places there must name
 * only that tenant's: its generator, its generated Secret, its provisioning script and Job.
 */

const secretStore = perObject(
  "eso/secret-store",
  "A SecretStore reads the platform namespace through the in-cluster API as credentials-reader, nothing else",
  (placed, _folder, context) => {
    const { object } = placed
    if (object.kind !== "SecretStore") return []
    const provider = field(object, "spec", "provider")
    const kubernetes = field(provider, "kubernetes")
    const auth = field(kubernetes, "auth")
    return [
      ...(isRecord(provider) ? Object.keys(provider).filter((key) => key !== "kubernetes") : ["no provider"]).map(
        (key) => `uses provider ${key}`,
      ),
      ...(field(kubernetes, "remoteNamespace") !== context.platformNamespace
        ? [`reads namespace ${String(field(kubernetes, "remoteNamespace"))}`]
        : []),
      ...(field(kubernetes, "server", "url") !== IN_CLUSTER
        ? [`talks to ${String(field(kubernetes, "server", "url"))}`]
        : []),
      ...(isRecord(auth) &&
      Object.keys(auth).every((key) => key === "serviceAccount") &&
      field(auth, "serviceAccount", "name") === CREDENTIALS_READER &&
      field(auth, "serviceAccount", "namespace") === undefined
        ? []
        : [`authenticates as ${JSON.stringify(auth)}`]),
    ]
  },
)

/**
 * A target template can make the written Secret anything, a service-account token minted by the
 * cluster for any account of the namespace included: the target is a name and policies only.
 */
const TARGET_FIELDS = new Set(["name", "creationPolicy", "deletionPolicy"])
const targetProblems = (spec: unknown): ReadonlyArray<string> => {
  const target = field(spec, "target")
  return isRecord(target)
    ? Object.keys(target)
        .filter((key) => !TARGET_FIELDS.has(key))
        .map((key) => `sets target.${key}`)
    : ["has no target"]
}

/**
 * In the tenant namespace: `api-credentials`, from the tenant's store, keys of its own secrets
 * only. In the platform namespace: the tenant's generated Secret, from its own generator only
 * (a target named like an admin Secret would overwrite it).
 */
export const externalSecret = perObject(
  "eso/external-secret",
  "ExternalSecrets read only the tenant's own secrets and write only its own",
  (placed, _folder, context) => {
    const { object, tenant } = placed
    if (object.kind !== "ExternalSecret") return []
    const spec = object.spec
    const role = namespaceRole(placed, context)
    if (role === "other") return []
    if (role === "tenant") {
      const own = [generatedSecretOf(tenant), context.operatorSecret]
      return [
        ...(field(spec, "secretStoreRef", "kind") !== "SecretStore" ||
        field(spec, "secretStoreRef", "name") !== PLATFORM_SECRET_STORE
          ? [
              `reads store ${String(field(spec, "secretStoreRef", "kind"))}/${String(field(spec, "secretStoreRef", "name"))}`,
            ]
          : []),
        ...(list(field(spec, "dataFrom")).length > 0 ? ["uses dataFrom"] : []),
        ...list(field(spec, "data")).flatMap((entry) => [
          ...(field(entry, "sourceRef") !== undefined
            ? [`entry ${String(field(entry, "secretKey"))} has its own sourceRef`]
            : []),
          ...(own.includes(String(field(entry, "remoteRef", "key")))
            ? []
            : [`reads ${String(field(entry, "remoteRef", "key"))}`]),
        ]),
        ...(field(spec, "target", "name") !== CREDENTIALS_SECRET
          ? [`writes Secret ${String(field(spec, "target", "name"))}`]
          : []),
        ...targetProblems(spec),
      ]
    }
    return [
      ...(field(spec, "secretStoreRef") !== undefined ? ["reads a secret store"] : []),
      ...(list(field(spec, "data")).length > 0 ? ["uses data"] : []),
      ...list(field(spec, "dataFrom")).flatMap((entry) => {
        const generator = field(entry, "sourceRef", "generatorRef")
        return field(generator, "kind") === "Password" && field(generator, "name") === passwordGeneratorOf(tenant)
          ? []
          : [`reads ${JSON.stringify(entry)}`]
      }),
      ...(field(spec, "target", "name") !== generatedSecretOf(tenant)
        ? [`writes Secret ${String(field(spec, "target", "name"))}`]
        : []),
      ...targetProblems(spec),
    ]
  },
)

const flagValue = (args: ReadonlyArray<string>, flag: string): ReadonlyArray<string> =>
  args.flatMap((arg, i) => (arg === flag && args[i + 1] !== undefined ? [args[i + 1] as string] : []))

/**
 * The provisioning Job runs with the database and cache admin credentials: it may only run the
 * platform's scripts (`psql -f`, `sh`), for its own tenant's role, schema, user and key prefix.
 */
const provisioningJob = perObject(
  "platform/provisioning-job",
  "The provisioning Job runs only the platform's scripts, for its own tenant",
  (placed, _folder, context) => {
    const pod = podSpecOf(placed.object)
    if (pod === undefined || namespaceRole(placed, context) !== "platform") return []
    const { tenant } = placed
    const scripts = `provision-${tenant}`
    return [
      ...list(pod.volumes)
        .filter((volume) => field(volume, "configMap") !== undefined && field(volume, "configMap", "name") !== scripts)
        .map((volume) => `mounts ConfigMap ${String(field(volume, "configMap", "name"))}`),
      ...containersOf(pod).flatMap(({ name, container }) => {
        const command = list(container.command).map(String)
        const env = new Map(list(container.env).map((e) => [String(field(e, "name")), field(e, "value")]))
        if (container.args !== undefined) return [`container ${name}: sets args`]
        if (command[0] === "psql") {
          const variables = flagValue(command, "-v")
          return [
            ...(command.some((arg) => arg === "-c" || arg.startsWith("--command"))
              ? [`container ${name}: runs inline SQL`]
              : []),
            ...(flagValue(command, "-f").every((file) => file === "/provision/provision.sql") &&
            flagValue(command, "-f").length === 1
              ? []
              : [`container ${name}: runs ${flagValue(command, "-f").join(", ") || "no script file"}`]),
            ...(variables.includes(`role=${dbRoleOf(tenant)}`) &&
            variables.includes(`schema=${dbSchemaOf(tenant)}`) &&
            variables.filter((v) => v.startsWith("role=") || v.startsWith("schema=")).length === 2
              ? []
              : [`container ${name}: provisions ${variables.join(" ")}`]),
          ]
        }
        if (command.join(" ") === "sh /provision/provision-redis.sh")
          return env.get("TENANT_REDIS_USER") === redisUserOf(tenant) &&
            env.get("TENANT_KEY_PREFIX") === redisKeyPrefixOf(tenant)
            ? []
            : [
                `container ${name}: provisions Redis user ${String(env.get("TENANT_REDIS_USER"))} on ${String(env.get("TENANT_KEY_PREFIX"))}`,
              ]
        return [`container ${name}: runs ${command.join(" ") || "its image's entrypoint"}`]
      }),
    ]
  },
)

const SCRIPTS: Readonly<Record<string, string | undefined>> = {
  "provision.sql": POSTGRES_PROVISION_SQL,
  "provision-redis.sh": REDIS_PROVISION_SCRIPT,
  "redis-ca.pem": undefined,
}

/** The scripts the Job runs as admin are the platform's, byte for byte (only the CA is per platform). */
const provisioningScripts = perObject(
  "platform/provisioning-scripts",
  "The provisioning ConfigMap holds exactly the platform's scripts",
  (placed, _folder, context) => {
    const { object } = placed
    if (object.kind !== "ConfigMap" || namespaceRole(placed, context) !== "platform") return []
    const data = isRecord(object.data) ? object.data : {}
    return [
      ...(object.binaryData !== undefined ? ["has binaryData"] : []),
      ...Object.keys(data)
        .filter((key) => !(key in SCRIPTS))
        .map((key) => `has ${key}`),
      ...Object.entries(SCRIPTS)
        .filter(([key, script]) => script !== undefined && data[key] !== script)
        .map(([key]) => `${key} is not the platform's script`),
    ]
  },
)

export const credentialRules: ReadonlyArray<TreeRule> = [
  secretStore,
  externalSecret,
  provisioningJob,
  provisioningScripts,
]
