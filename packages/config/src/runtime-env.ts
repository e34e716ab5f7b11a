import { Effect, Redacted, Schema } from "effect"
import { decodeWith } from "./decode.ts"
import { contractFor, isEmailPassthrough } from "./env-contract.ts"
import type { InvalidConfig } from "./errors.ts"
import { API_PORT, dbRoleOf, dbSchemaOf, hostnamesOf, redisKeyPrefixOf, redisUserOf } from "./identity.ts"
import { endpoints, type Platform } from "./platform.ts"
import type { Tenant } from "./tenant.ts"
import { Tiers } from "./tiers.ts"

/**
 * The non-secret env of a tenant's workload: what the synth puts in the tenant ConfigMap.
 * Secret vars of the contract are referenced from the credentials Secret instead.
 */
export const tenantEnv = (tenant: Tenant, platform: Platform): Readonly<Record<string, string>> => {
  const { postgres, redis } = endpoints(platform)
  const hostnames = hostnamesOf(tenant, platform.baseDomain)
  const cloud = platform.mode === "cloud"
  const entries: Record<string, string> = {
    ...tenant.env,
    TENANT_NAME: tenant.name,
    TENANT_TIER: tenant.tier,
    TENANT_DISPLAY_NAME: tenant.displayName ?? tenant.name,
    TENANT_STATE: tenant.state,
    PUBLIC_URL: `https://${hostnames[0]}`,
    TENANT_HOSTNAMES: hostnames.join(","),
    TENANT_ENV_KEYS: Object.keys(tenant.env).sort().join(","),
    FEATURE_FLAGS: Object.entries(tenant.features)
      .filter(([, enabled]) => enabled)
      .map(([flag]) => flag)
      .sort()
      .join(","),
    PORT: String(API_PORT),
    POSTGRES_HOST: postgres.host,
    POSTGRES_PORT: String(postgres.port),
    POSTGRES_DB: postgres.database,
    POSTGRES_USER: dbRoleOf(tenant.name),
    POSTGRES_SCHEMA: dbSchemaOf(tenant.name),
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
    REDIS_USERNAME: redisUserOf(tenant.name),
    REDIS_KEY_PREFIX: redisKeyPrefixOf(tenant.name),
    ...(cloud ? { POSTGRES_SSL: "true", REDIS_TLS: "true" } : {}),
    ...(cloud && redis.caPem !== undefined ? { REDIS_TLS_CA: redis.caPem } : {}),
  }
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** Names of the contract's secret vars in a mode, required ones first-class (optional ones may be absent). */
export const secretEnv = (mode: Platform["mode"]) => contractFor(mode).filter((spec) => spec.secret)

const Flag = Schema.Literals(["true", "false"])
const PortString = Schema.FiniteFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 65535 }))
const Secret = Schema.RedactedFromValue(Schema.String.check(Schema.isMinLength(1, { message: "must not be empty" })))
const optionalSecret = Schema.optionalKey(Secret)

/** The raw env, field per contract var; names are the contract's names. */
const RawRuntimeEnv = Schema.Struct({
  TENANT_NAME: Schema.String,
  TENANT_TIER: Schema.Literals(Tiers),
  TENANT_DISPLAY_NAME: Schema.String,
  TENANT_STATE: Schema.Literals(["active", "suspended"]),
  PUBLIC_URL: Schema.String.check(Schema.isPattern(/^https:\/\//)),
  TENANT_HOSTNAMES: Schema.String,
  TENANT_ENV_KEYS: Schema.String,
  FEATURE_FLAGS: Schema.String,
  PORT: PortString,
  POSTGRES_HOST: Schema.String,
  POSTGRES_PORT: PortString,
  POSTGRES_DB: Schema.String,
  POSTGRES_USER: Schema.String,
  POSTGRES_SCHEMA: Schema.String,
  POSTGRES_SSL: Schema.optionalKey(Flag),
  POSTGRES_PASSWORD: Secret,
  REDIS_HOST: Schema.String,
  REDIS_PORT: PortString,
  REDIS_USERNAME: Schema.String,
  REDIS_KEY_PREFIX: Schema.String,
  REDIS_TLS: Schema.optionalKey(Flag),
  REDIS_TLS_CA: Schema.optionalKey(Schema.String),
  REDIS_PASSWORD: Secret,
  SESSION_SECRET: Secret,
  RESEND_API_KEY: Secret,
  POSTMARK_SERVER_TOKEN: optionalSecret,
  SES_SECRET_ACCESS_KEY: optionalSecret,
  SMTP_PASSWORD: optionalSecret,
})

const split = (value: string): ReadonlyArray<string> => (value === "" ? [] : value.split(","))

/** What the tenant's service knows about itself after start-up. */
export interface RuntimeConfig {
  readonly tenant: {
    readonly name: string
    readonly tier: Tenant["tier"]
    readonly displayName: string
    readonly state: "active" | "suspended"
    readonly publicUrl: string
    readonly hostnames: ReadonlyArray<string>
    readonly features: ReadonlyArray<string>
  }
  readonly port: number
  readonly postgres: {
    readonly host: string
    readonly port: number
    readonly database: string
    readonly user: string
    readonly schema: string
    readonly ssl: boolean
    readonly password: Redacted.Redacted<string>
  }
  readonly redis: {
    readonly host: string
    readonly port: number
    readonly username: string
    readonly keyPrefix: string
    readonly tls: boolean
    readonly ca: string | undefined
    readonly password: Redacted.Redacted<string>
  }
  readonly sessionSecret: Redacted.Redacted<string>
  readonly email: {
    readonly resendApiKey: Redacted.Redacted<string>
    readonly postmarkServerToken: Redacted.Redacted<string> | undefined
    readonly sesSecretAccessKey: Redacted.Redacted<string> | undefined
    readonly smtpPassword: Redacted.Redacted<string> | undefined
    /** Every non-secret EMAIL_* / RESEND_* / POSTMARK_* / SES_* / SMTP_* var, as set. */
    readonly settings: Readonly<Record<string, string>>
  }
  /** The variables the tenant file set in `env`, as set. */
  readonly tenantEnv: Readonly<Record<string, string>>
}

const decodeRaw = decodeWith(RawRuntimeEnv, { onExcessProperty: "ignore", errors: "all" })

/**
 * Decodes a process environment into the tenant runtime's configuration. The tenant service
 * calls it once at start-up: `decodeRuntimeEnv(process.env)`.
 */
export const decodeRuntimeEnv = (
  env: Readonly<Record<string, string | undefined>>,
): Effect.Effect<RuntimeConfig, InvalidConfig> =>
  decodeRaw("environment", env).pipe(
    Effect.map((raw): RuntimeConfig => {
      const defined = Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)
      const secretNames = new Set(
        contractFor("cloud")
          .filter((spec) => spec.secret)
          .map((spec) => spec.name),
      )
      const hostnames = split(raw.TENANT_HOSTNAMES)
      return {
        tenant: {
          name: raw.TENANT_NAME,
          tier: raw.TENANT_TIER,
          displayName: raw.TENANT_DISPLAY_NAME,
          state: raw.TENANT_STATE,
          publicUrl: raw.PUBLIC_URL,
          hostnames,
          features: split(raw.FEATURE_FLAGS),
        },
        port: raw.PORT,
        postgres: {
          host: raw.POSTGRES_HOST,
          port: raw.POSTGRES_PORT,
          database: raw.POSTGRES_DB,
          user: raw.POSTGRES_USER,
          schema: raw.POSTGRES_SCHEMA,
          ssl: raw.POSTGRES_SSL === "true",
          password: raw.POSTGRES_PASSWORD,
        },
        redis: {
          host: raw.REDIS_HOST,
          port: raw.REDIS_PORT,
          username: raw.REDIS_USERNAME,
          keyPrefix: raw.REDIS_KEY_PREFIX,
          tls: raw.REDIS_TLS === "true",
          ca: raw.REDIS_TLS_CA,
          password: raw.REDIS_PASSWORD,
        },
        sessionSecret: raw.SESSION_SECRET,
        email: {
          resendApiKey: raw.RESEND_API_KEY,
          postmarkServerToken: raw.POSTMARK_SERVER_TOKEN,
          sesSecretAccessKey: raw.SES_SECRET_ACCESS_KEY,
          smtpPassword: raw.SMTP_PASSWORD,
          settings: Object.fromEntries(
            defined.filter(([name]) => isEmailPassthrough(name) && !secretNames.has(name)).sort(),
          ),
        },
        tenantEnv: Object.fromEntries(
          split(raw.TENANT_ENV_KEYS).flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])),
        ),
      }
    }),
  )

/** Unwraps a redacted value at the one place the runtime needs it (a driver's connect call). */
export const reveal = Redacted.value
