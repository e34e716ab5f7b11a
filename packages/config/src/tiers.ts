/**
 * What each tier gets. The single table every bound, default and size is read from:
 * the schema (bounds + defaults), the synth's tier plan (quota, limits, HPA, PDB, spread), the bot's
 * fleet summary and the docs.
 */
export const Tiers = ["free", "pro", "enterprise"] as const
export type TierName = (typeof Tiers)[number]

export interface Range {
  readonly min: number
  readonly max: number
  readonly default: number
}

export interface TierSpec {
  /** Replicas of the API Deployment (the HPA floor for autoscaled tiers). */
  readonly replicas: Range
  /** HPA ceiling; absent = no autoscaling. */
  readonly maxReplicas?: number
  /** CPU request per pod, millicores; the limit is twice the request. */
  readonly cpuMillis: Range
  /** Memory request per pod, MiB; the limit equals the request (memory is not compressible). */
  readonly memoryMiB: Range
  readonly maxCustomHostnames: number
  /** Storage the tenant's PersistentVolumeClaims may request in total, GiB (also the largest one). */
  readonly storageGiB: number
  /** How many PersistentVolumeClaims the tenant's namespace may hold. */
  readonly persistentVolumeClaims: number
  /**
   * PostgreSQL connection limit of the tenant role (enforced by the server, `CONNECTION LIMIT`).
   * The fleet's sum must fit the server's `max_connections` minus the platform's reserve.
   */
  readonly dbConnections: number
  /**
   * Redis connections the tenant may hold. Redis has no per-user connection limit: provisioning
   * records this for the self-hosted Redis' watchdog, which closes the newest connections beyond
   * it; the fleet's sum must fit the server's `maxclients`.
   */
  readonly redisClients: number
  /**
   * Redis memory the tenant may use, MiB. Redis has no per-user memory limit: provisioning records
   * this for the self-hosted Redis' watchdog, which makes the tenant's keys read-only while it is
   * over; the fleet's sum must fit the shared `maxmemory`.
   */
  readonly redisMemoryMiB: number
  /**
   * Whether the tenant may run Lua (`EVAL`, `EVALSHA`, `FCALL` and their `_RO` forms), confined
   * to its own keys. A script runs on Redis' single thread until it returns: an endless one
   * blocks every tenant until an operator kills it, so only contracted tiers get it.
   */
  readonly redisScripting: boolean
  /** Whether the API gets a PodDisruptionBudget keeping a majority of its replicas up. */
  readonly podDisruptionBudget: boolean
  /** Whether the API's replicas are spread across nodes (strictly) and zones (best effort). */
  readonly topologySpread: boolean
}

export const TierSpecs: { readonly [T in TierName]: TierSpec } = {
  free: {
    replicas: { min: 1, max: 1, default: 1 },
    cpuMillis: { min: 50, max: 500, default: 250 },
    memoryMiB: { min: 64, max: 512, default: 256 },
    maxCustomHostnames: 0,
    storageGiB: 1,
    persistentVolumeClaims: 1,
    dbConnections: 5,
    redisClients: 10,
    redisMemoryMiB: 16,
    redisScripting: false,
    podDisruptionBudget: false,
    topologySpread: false,
  },
  pro: {
    replicas: { min: 2, max: 6, default: 2 },
    maxReplicas: 6,
    cpuMillis: { min: 100, max: 2000, default: 500 },
    memoryMiB: { min: 128, max: 4096, default: 512 },
    maxCustomHostnames: 3,
    storageGiB: 10,
    persistentVolumeClaims: 4,
    dbConnections: 20,
    redisClients: 40,
    redisMemoryMiB: 64,
    redisScripting: false,
    podDisruptionBudget: true,
    topologySpread: false,
  },
  enterprise: {
    replicas: { min: 3, max: 20, default: 3 },
    maxReplicas: 20,
    cpuMillis: { min: 250, max: 8000, default: 1000 },
    memoryMiB: { min: 256, max: 16384, default: 1024 },
    maxCustomHostnames: 20,
    storageGiB: 100,
    persistentVolumeClaims: 16,
    dbConnections: 60,
    redisClients: 100,
    redisMemoryMiB: 256,
    redisScripting: true,
    podDisruptionBudget: true,
    topologySpread: true,
  },
}
