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
}

const v = (
  name: string,
  source: EnvSource,
  description: string,
  options: { secret?: boolean; required?: boolean; modes?: ReadonlyArray<"selfhosted" | "cloud"> } = {},
): EnvVarSpec => ({
  name,
  source,
  description,
  secret: options.secret ?? false,
  required: options.required ?? true,
  ...(options.modes ? { modes: options.modes } : {}),
})

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
  v("POSTGRES_DB", "platform", "Shared database name"),
  v("POSTGRES_USER", "platform", "The tenant's login role"),
  v("POSTGRES_SCHEMA", "platform", "The schema the tenant role owns"),
  v("POSTGRES_SSL", "platform", "TLS to PostgreSQL (managed database)", { modes: ["cloud"] }),
  v("POSTGRES_PASSWORD", "generated", "Password of the tenant role", { secret: true }),
  v("REDIS_HOST", "platform", "Shared Redis host"),
  v("REDIS_PORT", "platform", "Shared Redis port"),
  v("REDIS_USERNAME", "platform", "The tenant's Redis ACL user"),
  v("REDIS_KEY_PREFIX", "platform", "Prefix every key and channel must carry"),
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
