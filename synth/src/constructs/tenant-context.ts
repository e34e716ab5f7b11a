import { namespaceOf, type PinnedImage, type Platform, TENANT_LABEL, type Tenant } from "@ppi/config"
import type { TierPlan } from "../factory/tier-plan.ts"

/** Everything a tenant construct needs, computed once per tenant. */
export interface TenantContext {
  readonly tenant: Tenant
  readonly platform: Platform
  readonly plan: TierPlan
  /** The API image this tenant runs: its pin, or the platform's version for its rollout wave. */
  readonly apiImage: PinnedImage
  readonly namespace: string
  /** Labels on every object of the tenant (never used as selectors). */
  readonly labels: Readonly<Record<string, string>>
  /** The API pods' selector: explicit and stable, never derived from construct paths. */
  readonly selector: Readonly<Record<string, string>>
}

export const LabelKeys = {
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
    selector,
    labels: {
      ...tenant.labels,
      ...selector,
      "app.kubernetes.io/managed-by": "ppi-synth",
      "app.kubernetes.io/part-of": "parametric-portal",
      [LabelKeys.tenant]: tenant.name,
      [LabelKeys.tier]: tenant.tier,
    },
  }
}
