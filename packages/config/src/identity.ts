/**
 * Every name derived from a tenant name, in one place, so that two tenants can never share
 * a namespace, hostname, database role or cache identity (tenant names are unique DNS labels,
 * and each mapping here is injective).
 */
/** A tenant owns the namespace of its own name (hence the reserved names). */
export const namespaceOf = (tenant: string): string => tenant
export const canonicalHostname = (tenant: string, baseDomain: string): string => `${tenant}.${baseDomain}`
/** Every hostname a tenant serves: the canonical one first, then its custom ones in file order. */
export const hostnamesOf = (
  tenant: { readonly name: string; readonly hostnames: ReadonlyArray<string> },
  baseDomain: string,
): ReadonlyArray<string> => [canonicalHostname(tenant.name, baseDomain), ...tenant.hostnames]
/** PostgreSQL role and schema: identifiers without quoting need `_`, and tenant names have no `_`. */
export const dbRoleOf = (tenant: string): string => `tenant_${tenant.replaceAll("-", "_")}`
export const dbSchemaOf = dbRoleOf
export const redisUserOf = (tenant: string): string => `tenant-${tenant}`
export const redisKeyPrefixOf = (tenant: string): string => `${tenant}:`
export const API_PORT = 8080
