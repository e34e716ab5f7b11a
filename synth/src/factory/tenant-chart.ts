import { App, Chart } from "cdk8s"
import type { Construct } from "constructs"
import { TenantApi } from "../constructs/tenant-api.ts"
import { TenantAvailability } from "../constructs/tenant-availability.ts"
import type { TenantContext } from "../constructs/tenant-context.ts"
import { TenantGuardrails } from "../constructs/tenant-guardrails.ts"
import { TenantIngress } from "../constructs/tenant-ingress.ts"
import { TenantNamespace } from "../constructs/tenant-namespace.ts"
import { TenantNetworkPolicies } from "../constructs/tenant-network-policies.ts"

/** Every construct of one tenant. Later concerns (data plane, Argo CD) add a line here. */
export class TenantChart extends Chart {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id, { disableResourceNameHashes: true })
    new TenantNamespace(this, "namespace", context)
    new TenantGuardrails(this, "guardrails", context)
    new TenantNetworkPolicies(this, "network", context)
    const api = new TenantApi(this, "api", context)
    new TenantIngress(this, "ingress", context, api.service)
    new TenantAvailability(this, "availability", context, api.deployment)
  }
}

/** A Kubernetes object as plain JSON, ready to validate and serialize. */
export type K8sObject = {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<string, unknown>
} & Record<string, unknown>

/**
 * Synthesizes one tenant in an `App` of its own: construct trees stay small, so the cost of
 * a fleet grows linearly (one `App` for every tenant grows quadratically).
 */
export const synthesizeTenant = (context: TenantContext): ReadonlyArray<K8sObject> => {
  const app = new App({ outdir: "/nonexistent" })
  const chart = new TenantChart(app, context.tenant.name, context)
  return chart.toJson() as ReadonlyArray<K8sObject>
}
