import {
  hostnamesOf,
  managedLabels,
  namespaceOf,
  type PinnedImage,
  type Platform,
  TENANT_LABEL,
  type Tenant,
} from "@ppi/config"
import type { TierPlan } from "../factory/tier-plan.ts"

/** What every construct of a tenant places its objects by. */
export interface TenantObjectProps {
  /** The tenant's namespace (objects the platform keeps elsewhere say so in their own props). */
  readonly namespace: string
  /** Labels on every object of the tenant (never used as selectors). */
  readonly labels: Readonly<Record<string, string>>
}

/** Everything the tenant's charts hand out to their constructs, computed once per tenant. */
export interface TenantContext extends TenantObjectProps {
  readonly tenant: Tenant
  readonly platform: Platform
  readonly plan: TierPlan
  /** The API image this tenant runs: its pin, or the platform's version for its rollout wave. */
  readonly apiImage: PinnedImage
  /** Every hostname the tenant serves, the canonical one first. */
  readonly hostnames: ReadonlyArray<string>
  /** The API pods' selector: explicit and stable, never derived from construct paths. */
  readonly selector: Readonly<Record<string, string>>
}

const LabelKeys = {
  tenant: TENANT_LABEL,
  tier: "platform.parametric.dev/tier",
} as const

export const makeTenantContext = (
  tenant: Tenant,
  platform: Platform,
  plan: TierPlan,
  apiImage: PinnedImage,
): TenantContext => {
  const selector = { "app.kubernetes.io/instance": tenant.name, "app.kubernetes.io/name": "api" }
  return {
    tenant,
    platform,
    plan,
    apiImage,
    namespace: namespaceOf(tenant.name),
    hostnames: hostnamesOf(tenant, platform.baseDomain),
    selector,
    labels: {
      ...tenant.labels,
      ...selector,
      ...managedLabels("ppi-synth"),
      [LabelKeys.tenant]: tenant.name,
      [LabelKeys.tier]: tenant.tier,
    },
  }
}
