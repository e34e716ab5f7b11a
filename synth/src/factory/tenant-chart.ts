import { endpoints, secretEnv, tenantEnv } from "@ppi/config"
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
    const { tenant, platform, plan, namespace, labels, selector } = context
    const { postgres, redis } = endpoints(platform)
    new TenantNamespace(this, "namespace", { namespace, labels })
    new TenantGuardrails(this, "guardrails", {
      namespace,
      labels,
      quota: plan.quota,
      containerLimits: plan.containerLimits,
    })
    new TenantNetworkPolicies(this, "network", {
      namespace,
      labels,
      selector,
      ingressNamespace: platform.ingressNamespace,
      dataServices: [postgres, redis],
    })
    new TenantCredentials(this, "credentials", {
      namespace,
      labels,
      tenant: tenant.name,
      platformNamespace: platform.platformNamespace,
      operatorSecret: platform.operatorSecret,
      secrets: secretEnv(platform.mode).filter((spec) => spec.required),
    })
    new TenantProvisioning(this, "provisioning", {
      namespace: platform.platformNamespace,
      labels,
      tenant,
      postgres,
      redis,
      cloud: platform.mode === "cloud",
      images: platform.images,
    })
  }
}

/** The tenant's workload. */
export class TenantAppChart extends Chart {
  constructor(scope: Construct, id: string, context: TenantContext) {
    super(scope, id, { disableResourceNameHashes: true })
    const { tenant, platform, plan, namespace, labels, selector } = context
    const api = new TenantApi(this, "api", {
      namespace,
      labels,
      selector,
      image: context.apiImage,
      replicas: plan.autoscale === undefined ? plan.replicas : undefined,
      env: tenantEnv(tenant, platform),
      secrets: secretEnv(platform.mode),
      resources: tenant.resources,
      topologySpread: plan.topologySpread,
    })
    new TenantIngress(this, "ingress", {
      namespace,
      labels,
      hostnames: context.hostnames,
      service: api.service,
      clusterIssuer: platform.clusterIssuer,
      ingressClass: platform.ingressClass,
    })
    new TenantAvailability(this, "availability", {
      namespace,
      labels,
      selector,
      deployment: api.deployment,
      autoscale: plan.autoscale,
      minAvailable: plan.minAvailable,
    })
  }
}

/** The Argo CD objects that deploy the two charts above. */
export class TenantArgoChart extends Chart {
  constructor(scope: Construct, id: string, { tenant, platform, namespace, labels }: TenantContext) {
    super(scope, id, { disableResourceNameHashes: true })
    new TenantArgoCd(this, "argocd", { namespace, labels, tenant: tenant.name, deploy: platform.deploy })
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
