import type { KubeObject } from "@ppi/policy"
import { App, Chart } from "cdk8s"
import type { Construct } from "constructs"
import { TenantArgoCd } from "../constructs/argocd/tenant-argocd.ts"
import { TenantCredentials } from "../constructs/data-plane/tenant-credentials.ts"
import { TenantProvisioning } from "../constructs/data-plane/tenant-provisioning.ts"
import { TenantApi } from "../constructs/tenant-api.ts"
import { TenantAvailability } from "../constructs/tenant-availability.ts"
import type { TenantContext } from "../constructs/tenant-context.ts"
import { TenantGuardrails } from "../constructs/tenant-guardrails.ts"
import { TenantIngress } from "../constructs/tenant-ingress.ts"
import { TenantNamespace } from "../constructs/tenant-namespace.ts"
import { TenantNetworkPolicies } from "../constructs/tenant-network-policies.ts"
import type { Component, PlacedObject } from "./placed-object.ts"

/**
 * What the platform owns in a tenant — namespace, guardrails, credentials, provisioning: the
 * tenant's application can never change these.
 */
export class TenantPlatformChart extends Chart {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id, { disableResourceNameHashes: true })
    new TenantNamespace(this, "namespace", context)
    new TenantGuardrails(this, "guardrails", context)
    new TenantNetworkPolicies(this, "network", context)
    new TenantCredentials(this, "credentials", context)
    new TenantProvisioning(this, "provisioning", context)
  }
}

/** The tenant's workload. */
export class TenantAppChart extends Chart {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id, { disableResourceNameHashes: true })
    const api = new TenantApi(this, "api", context)
    new TenantIngress(this, "ingress", context, api.service)
    new TenantAvailability(this, "availability", context, api.deployment)
  }
}

/** The Argo CD objects that deploy the two charts above. */
export class TenantArgoChart extends Chart {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id, { disableResourceNameHashes: true })
    new TenantArgoCd(this, "argocd", context)
  }
}

/**
 * Synthesizes one tenant in an `App` of its own: construct trees stay small, so the cost of
 * a fleet grows linearly (one `App` for every tenant grows quadratically).
 */
export const synthesizeTenant = (context: TenantContext): ReadonlyArray<PlacedObject> => {
  const app = new App({ outdir: "/nonexistent" })
  const charts: ReadonlyArray<readonly [Component, Chart]> = [
    ["platform", new TenantPlatformChart(app, "platform", context)],
    ["app", new TenantAppChart(app, "app", context)],
    ["argocd", new TenantArgoChart(app, "argocd", context)],
  ]
  return charts.flatMap(([component, chart]) =>
    (chart.toJson() as ReadonlyArray<KubeObject>).map((object) => ({ component, object })),
  )
}
