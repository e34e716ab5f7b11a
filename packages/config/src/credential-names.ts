/**
 * Names of the credential objects: the cluster creates the admin Secrets, the synth creates the
 * tenant's and reads the admin ones, the policy checks each is used only where it may be.
 */

/** The tenant's generated passwords, in the platform namespace. */
export const generatedSecretOf = (tenant: string): string => `tenant-${tenant}-credentials`
/** The ExternalSecret generator that makes them. */
export const passwordGeneratorOf = (tenant: string): string => `tenant-${tenant}-password`
/** The Role (and RoleBinding) letting the tenant's secret store read them. */
export const credentialsReaderRoleOf = (tenant: string): string => `read-${generatedSecretOf(tenant)}`
/** The ServiceAccount of the tenant's SecretStore. */
export const CREDENTIALS_READER = "credentials-reader"
/** The tenant's SecretStore over the platform namespace. */
export const PLATFORM_SECRET_STORE = "platform-credentials"
/** The admin credentials of the shared servers, in the platform namespace; only provisioning reads them. */
export const POSTGRES_ADMIN_SECRET = "postgres-admin"
export const REDIS_ADMIN_SECRET = "redis-admin"

/** Generated once per tenant, never rotated under a running tenant. */
export const GeneratedKeys = ["POSTGRES_PASSWORD", "REDIS_PASSWORD", "SESSION_SECRET"] as const
