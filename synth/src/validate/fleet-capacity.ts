import { type ConfigIssue, endpoints, type Platform, type Tenant, TierSpecs } from "@ppi/config"

interface Budget {
  readonly path: string
  readonly what: string
  readonly perTenant: (tenant: Tenant) => number
  readonly capacity: number
  readonly reserved: number
  readonly setting: string
}

/**
 * The shared servers hold the whole fleet: the tier limits summed over every tenant must fit what
 * the current mode's servers allow, minus what the platform keeps for itself. PostgreSQL enforces
 * each role's share (`CONNECTION LIMIT`), so an over-committed fleet would let a few tenants lock
 * out the rest; Redis enforces only the server-wide bounds itself (the self-hosted watchdog
 * enforces each tenant's budgets), so the budgets' sum sizes the server.
 * One issue per exceeded budget, reported against the platform file that sets the capacity.
 */
export const findCapacityIssues = (
  tenants: ReadonlyArray<{ readonly tenant: Tenant }>,
  platform: Platform,
  platformFile: string,
): ReadonlyArray<ConfigIssue> => {
  const { postgres, redis } = endpoints(platform)
  const mode = platform.mode
  const budgets: ReadonlyArray<Budget> = [
    {
      path: `postgres.${mode}.maxConnections`,
      what: "PostgreSQL connection limits",
      perTenant: (tenant) => TierSpecs[tenant.tier].dbConnections,
      capacity: postgres.maxConnections,
      reserved: postgres.reservedConnections,
      setting: "max_connections",
    },
    {
      path: `redis.${mode}.maxClients`,
      what: "Redis client budgets",
      perTenant: (tenant) => TierSpecs[tenant.tier].redisClients,
      capacity: redis.maxClients,
      reserved: redis.reservedClients,
      setting: "maxclients",
    },
    {
      path: `redis.${mode}.maxMemoryMiB`,
      what: "Redis memory budgets (MiB)",
      perTenant: (tenant) => TierSpecs[tenant.tier].redisMemoryMiB,
      capacity: redis.maxMemoryMiB,
      reserved: 0,
      setting: "maxmemory",
    },
  ]
  return budgets.flatMap((budget) => {
    const total = tenants.reduce((sum, { tenant }) => sum + budget.perTenant(tenant), 0)
    const available = budget.capacity - budget.reserved
    return total <= available
      ? []
      : [
          {
            file: platformFile,
            path: budget.path,
            message: `the ${tenants.length} tenants' ${budget.what} sum to ${total}, more than the ${available} the server allows (${budget.setting} ${budget.capacity}${budget.reserved > 0 ? ` minus ${budget.reserved} reserved for the platform` : ""}): raise the server's capacity or move tenants to another server`,
          },
        ]
  })
}
