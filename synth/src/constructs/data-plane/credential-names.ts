/** Names of the credential objects, shared by the constructs that create and read them. */
export const generatedSecretOf = (tenant: string): string => `tenant-${tenant}-credentials`
export const passwordGeneratorOf = (tenant: string): string => `tenant-${tenant}-password`
export const CREDENTIALS_READER = "credentials-reader"
export const PLATFORM_SECRET_STORE = "platform-credentials"
export const POSTGRES_ADMIN_SECRET = "postgres-admin"
export const REDIS_ADMIN_SECRET = "redis-admin"

/** Generated once per tenant, never rotated under a running tenant. */
export const GeneratedKeys = ["POSTGRES_PASSWORD", "REDIS_PASSWORD", "SESSION_SECRET"] as const
