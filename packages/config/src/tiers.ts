/**
 * What each tier gets. The single table every bound, default and size is read from:
 * the schema (bounds + defaults), the synth (quota, HPA, PDB, spread) and the docs.
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
  readonly storageGiB: number
  /** PostgreSQL connection limit of the tenant role. */
  readonly dbConnections: number
  readonly podDisruptionBudget: boolean
  readonly topologySpread: boolean
}

export const TierSpecs: { readonly [T in TierName]: TierSpec } = {
  free: {
    replicas: { min: 1, max: 1, default: 1 },
    cpuMillis: { min: 50, max: 500, default: 250 },
    memoryMiB: { min: 64, max: 512, default: 256 },
    maxCustomHostnames: 0,
    storageGiB: 1,
    dbConnections: 5,
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
    dbConnections: 20,
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
    dbConnections: 100,
    podDisruptionBudget: true,
    topologySpread: true,
  },
}
