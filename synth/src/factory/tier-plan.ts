import { type Tenant, TierSpecs } from "@ppi/config"
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
}

/** Quota room for the largest allowed shape of the tier, plus one surge pod during rollouts. */
const quotaFor = (tier: Tenant["tier"]) => {
  const spec = TierSpecs[tier]
  const pods = (spec.maxReplicas ?? spec.replicas.max) + 1
  return {
    pods,
    cpuMillis: pods * spec.cpuMillis.max,
    memoryMiB: pods * spec.memoryMiB.max,
    storageGiB: spec.storageGiB,
    pvcs: tier === "free" ? 1 : tier === "pro" ? 4 : 16,
  }
}

const autoscaled = (tenant: Tenant, max: number) => ({
  replicas: tenant.replicas,
  autoscale: { min: tenant.replicas, max: Math.max(max, tenant.replicas), cpuUtilization: 70 },
  // Keep a majority up through voluntary disruptions (drains, upgrades).
  minAvailable: Math.floor(tenant.replicas / 2) + 1,
})

/** One arm per tier: a new tier is one schema member in `@ppi/config` plus one arm here. */
export const planTier: (tenant: Tenant) => TierPlan = Match.type<Tenant>().pipe(
  Match.discriminatorsExhaustive("tier")({
    free: (tenant) => ({ replicas: tenant.replicas, topologySpread: false, quota: quotaFor("free") }),
    pro: (tenant) => ({
      ...autoscaled(tenant, TierSpecs.pro.maxReplicas ?? tenant.replicas),
      topologySpread: false,
      quota: quotaFor("pro"),
    }),
    enterprise: (tenant) => ({
      ...autoscaled(tenant, TierSpecs.enterprise.maxReplicas ?? tenant.replicas),
      topologySpread: true,
      quota: quotaFor("enterprise"),
    }),
  }),
)

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
