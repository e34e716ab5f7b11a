import { TierSpecs, Tiers } from "./tiers.ts"

/**
 * The runtime env contract, declared once. Infrastructure reads it to set the env of the
 * tenant Deployment; the tenant service reads it (through `RuntimeEnv`) at start-up.
 */

/** Who provides the value. */
export type EnvSource =
  /** Computed by the synth from the tenant file and the platform file (ConfigMap). */
  | "platform"
  /** Generated in-cluster once and never committed (ExternalSecret generator). */
  | "generated"
  /** Put in the platform secret store by an operator; synced into the tenant namespace. */
  | "operator"
  /** Set by the tenant file's `env` (email provider settings and the like). */
  | "tenant"

export interface EnvVarSpec {
  readonly name: string
  readonly secret: boolean
  readonly source: EnvSource
  readonly required: boolean
  /** Present only in these deployment modes (absent = every mode). */
  readonly modes?: ReadonlyArray<"selfhosted" | "cloud">
  readonly description: string
  /**
   * What a tenant's code must not rely on when it uses this variable: the shared servers'
   * residuals (docs/data-plane.md) and bounds, stated where the tenant reads its settings.
   */
  readonly rules?: ReadonlyArray<string>
}

const v = (
  name: string,
  source: EnvSource,
  description: string,
  options: {
    secret?: boolean
    required?: boolean
    modes?: ReadonlyArray<"selfhosted" | "cloud">
    rules?: ReadonlyArray<string>
  } = {},
): EnvVarSpec => ({
  name,
  source,
  description,
  secret: options.secret ?? false,
  required: options.required ?? true,
  ...(options.modes ? { modes: options.modes } : {}),
  ...(options.rules ? { rules: options.rules } : {}),
})

/** "free 5, pro 20, enterprise 60": a tier bound as the tenant reads it. */
const perTier = (bound: (tier: (typeof Tiers)[number]) => number | string): string =>
  Tiers.map((tier) => `${tier} ${String(bound(tier))}`).join(", ")

const scriptingTiers = Tiers.filter((tier) => TierSpecs[tier].redisScripting).join(", ")

/** The shared database is shared: what no privilege separates there. */
const PostgresRules = [
  "No `LISTEN`/`NOTIFY`: channels belong to the whole database and no privilege governs them, so any tenant can listen to your payloads or send into your channels. Use Redis pub/sub on channels under `REDIS_KEY_PREFIX`.",
  "No advisory locks (`pg_advisory_lock` and the migration tools built on them, such as Prisma's key 72707369): keys are database-wide and another tenant can hold yours. Lock a table in `POSTGRES_SCHEMA` instead (`LOCK TABLE <schema>.migrations_lock`).",
  "No secrets in table, column, function or view names or in function and view source: every tenant can read the catalogs (`pg_class`, `pg_attribute`, `pg_proc.prosrc`, `pg_get_viewdef`).",
  "Keep transactions short: an open transaction holds back `VACUUM` for every tenant, and one that holds the tenant's own role, schema or default privileges makes the platform's provisioning of this tenant wait and retry.",
]

const RedisPrefixRules = [
  "Every key and channel must start with the prefix; any other is refused (`NOPERM`).",
  "No `KEYS`, `SCAN`, `RANDOMKEY`, `SORT`, `DBSIZE`, `INFO`, `PUBSUB`, `CLIENT LIST`, `CLIENT TRACKING`, `SELECT` or `FLUSHDB`: they span every tenant and are refused. Keep your own index of your keys (a set under the prefix).",
  "`PSUBSCRIBE` only with the exact pattern `<prefix>*` (Redis compares patterns literally) and filter in code; `SUBSCRIBE` to any exact channel under the prefix.",
  `Lua (\`EVAL\`, \`EVALSHA\`, \`FCALL\` and their \`_RO\` forms) only for tier ${scriptingTiers}, confined to keys under the prefix; \`SCRIPT\` and \`FUNCTION\` management are refused to every tier, so send a script with \`EVAL\` once and then \`EVALSHA\`. A script that keeps the server busy is ended by the platform (self-hosted).`,
]

const RedisUserRules = [
  `At most the tier's connections (${perTier((tier) => TierSpecs[tier].redisClients)}): beyond it the platform closes your newest connections within a second (self-hosted); size connection pools below it.`,
  `At most the tier's memory (${perTier((tier) => `${TierSpecs[tier].redisMemoryMiB} MiB`)}, as \`MEMORY USAGE\` counts it): beyond it the platform makes your keys read-only (writes fail with \`NOPERM\`; reads, deletes and expiries work) until you are back under, checked periodically (self-hosted).`,
  "The instance's memory is shared and never evicted: when it is full every tenant's writes fail with `OOM` until keys expire or are deleted. Set TTLs.",
]

export const EnvContract: ReadonlyArray<EnvVarSpec> = [
  v("TENANT_NAME", "platform", "Tenant name (DNS label)"),
  v("TENANT_TIER", "platform", "free | pro | enterprise"),
  v("TENANT_DISPLAY_NAME", "platform", "Human-readable tenant name"),
  v("TENANT_STATE", "platform", "active | suspended"),
  v("PUBLIC_URL", "platform", "Canonical https URL of the tenant"),
  v("TENANT_HOSTNAMES", "platform", "Every hostname served, comma-separated, canonical first"),
  v("TENANT_ENV_KEYS", "platform", "Names of the variables the tenant file set, comma-separated, sorted"),
  v("FEATURE_FLAGS", "platform", "Enabled feature flags, comma-separated, sorted"),
  v("PORT", "platform", "Port the API listens on"),
  v("POSTGRES_HOST", "platform", "Shared PostgreSQL host"),
  v("POSTGRES_PORT", "platform", "Shared PostgreSQL port"),
  v("POSTGRES_DB", "platform", "Shared database name", { rules: PostgresRules }),
  v("POSTGRES_USER", "platform", "The tenant's login role", {
    rules: [
      `At most the tier's connections (${perTier((tier) => TierSpecs[tier].dbConnections)}), enforced by the server: size connection pools below it.`,
    ],
  }),
  v("POSTGRES_SCHEMA", "platform", "The schema the tenant role owns"),
  v("POSTGRES_SSL", "platform", "TLS to PostgreSQL (managed database)", { modes: ["cloud"] }),
  v("POSTGRES_PASSWORD", "generated", "Password of the tenant role", { secret: true }),
  v("REDIS_HOST", "platform", "Shared Redis host"),
  v("REDIS_PORT", "platform", "Shared Redis port"),
  v("REDIS_USERNAME", "platform", "The tenant's Redis ACL user", { rules: RedisUserRules }),
  v("REDIS_KEY_PREFIX", "platform", "Prefix every key and channel must carry", { rules: RedisPrefixRules }),
  v("REDIS_TLS", "platform", "TLS to Redis (managed cache)", { modes: ["cloud"] }),
  v("REDIS_TLS_CA", "platform", "PEM of the CA that signed the Redis certificate", { modes: ["cloud"] }),
  v("REDIS_PASSWORD", "generated", "Password of the tenant's Redis ACL user", { secret: true }),
  v("SESSION_SECRET", "generated", "Key signing the tenant's sessions", { secret: true }),
  v("RESEND_API_KEY", "operator", "Resend API key for transactional email", { secret: true }),
  v("POSTMARK_SERVER_TOKEN", "operator", "Postmark server token", { secret: true, required: false }),
  v("SES_SECRET_ACCESS_KEY", "operator", "Amazon SES secret access key", { secret: true, required: false }),
  v("SMTP_PASSWORD", "operator", "SMTP password", { secret: true, required: false }),
]

/** Email provider variables the tenant file may set and the runtime passes through. */
const EmailPassthroughPrefixes = ["EMAIL_", "RESEND_", "POSTMARK_", "SES_", "SMTP_"] as const

export const isEmailPassthrough = (name: string): boolean =>
  EmailPassthroughPrefixes.some((prefix) => name.startsWith(prefix))

/** Name fragments that mark a variable as a credential: those never come from the tenant file. */
const SecretNamePattern = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)/

export const looksLikeSecretName = (name: string): boolean => SecretNamePattern.test(name)

export const ContractNames: ReadonlySet<string> = new Set(EnvContract.map((spec) => spec.name))

export const contractFor = (mode: "selfhosted" | "cloud"): ReadonlyArray<EnvVarSpec> =>
  EnvContract.filter((spec) => spec.modes === undefined || spec.modes.includes(mode))

/** The in-namespace Secret holding a tenant's credentials (materialized in-cluster, never in git). */
export const CREDENTIALS_SECRET = "api-credentials"
/** The ConfigMap holding a tenant's non-secret env. */
export const ENV_CONFIGMAP = "api-env"
