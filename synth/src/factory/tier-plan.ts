import { type Tenant, type TierSpec, TierSpecs } from "@ppi/config"
import { Match } from "effect"

/** What a tier decides for one tenant: sizes and the optional objects it gets. */
export interface TierPlan {
  readonly replicas: number
  /** HPA bounds; absent = fixed replicas. */
  readonly autoscale?: { readonly min: number; readonly max: number; readonly cpuUtilization: number }
  /** PDB `minAvailable`; absent = no PDB. */
  readonly minAvailable?: number
  readonly topologySpread: boolean
  readonly quota: {
    readonly pods: number
    readonly cpuMillis: number
    readonly memoryMiB: number
    readonly storageGiB: number
    readonly pvcs: number
  }
  /** The LimitRange: what a container gets when it asks for nothing, and the most it may ask for. */
  readonly containerLimits: {
    readonly defaultCpuMillis: number
    readonly defaultMemoryMiB: number
    readonly maxCpuMillis: number
    readonly maxMemoryMiB: number
  }
}

/** The average CPU use, in percent of the request, the HPA keeps the API at. */
const HPA_CPU_UTILIZATION = 70

/** Quota room for the largest allowed shape of the tier, plus one surge pod during rollouts. */
const quotaOf = (spec: TierSpec): TierPlan["quota"] => {
  const pods = (spec.maxReplicas ?? spec.replicas.max) + 1
  return {
    pods,
    cpuMillis: pods * spec.cpuMillis.max,
    memoryMiB: pods * spec.memoryMiB.max,
    storageGiB: spec.storageGiB,
    pvcs: spec.persistentVolumeClaims,
  }
}

const containerLimitsOf = (spec: TierSpec): TierPlan["containerLimits"] => ({
  defaultCpuMillis: spec.cpuMillis.default,
  defaultMemoryMiB: spec.memoryMiB.default,
  maxCpuMillis: spec.cpuMillis.max,
  maxMemoryMiB: spec.memoryMiB.max,
})

/**
 * The plan of an active tenant, read from its row of `TierSpecs`: a new tier is one schema member
 * and one row in `@ppi/config`, nothing here.
 */
const planTier = (tenant: Tenant): TierPlan => {
  const spec = TierSpecs[tenant.tier]
  return {
    replicas: tenant.replicas,
    ...(spec.maxReplicas === undefined
      ? {}
      : {
          autoscale: {
            min: tenant.replicas,
            max: Math.max(spec.maxReplicas, tenant.replicas),
            cpuUtilization: HPA_CPU_UTILIZATION,
          },
        }),
    // Keep a majority up through voluntary disruptions (drains, upgrades).
    ...(spec.podDisruptionBudget ? { minAvailable: Math.floor(tenant.replicas / 2) + 1 } : {}),
    topologySpread: spec.topologySpread,
    quota: quotaOf(spec),
    containerLimits: containerLimitsOf(spec),
  }
}

/**
 * The lifecycle on top of the tier: a suspended tenant keeps its namespace, data and
 * hostnames but runs no pods; a decommissioned tenant is not synthesized at all.
 */
export const planTenant = (tenant: Tenant): TierPlan | undefined =>
  Match.value(tenant.state).pipe(
    Match.when("active", () => planTier(tenant)),
    Match.when("suspended", () => {
      const { autoscale: _autoscale, minAvailable: _minAvailable, ...plan } = planTier(tenant)
      return { ...plan, replicas: 0 }
    }),
    Match.when("decommissioned", () => undefined),
    Match.exhaustive,
  )
