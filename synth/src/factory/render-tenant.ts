import { apiImageFor, type PinnedImage, type Platform, type Tenant } from "@ppi/config"
import { checkFolder, claimsOf, contextOf, type FolderClaims, type KubeObject, place, refOf } from "@ppi/policy"
import { makeTenantContext } from "../constructs/tenant-context.ts"
import { MANIFEST_FILE, toComponentManifest } from "../emit/component-manifest.ts"
import type { PolicyViolation, SchemaViolation } from "../errors.ts"
import { validateObject } from "../validate/validate-object.ts"
import { synthesizeTenant } from "./tenant-chart.ts"
import { planTenant } from "./tier-plan.ts"

export interface RenderedTenant {
  readonly name: string
  readonly objects: ReadonlyArray<KubeObject>
  /** Path within the tenant's folder (`app/manifest.yaml`) → YAML, one multi-document file per component. */
  readonly files: ReadonlyMap<string, string>
  readonly violations: ReadonlyArray<SchemaViolation>
  readonly policyViolations: ReadonlyArray<PolicyViolation>
  /** Its hostnames and the objects it places in shared namespaces, for the fleet-wide checks. */
  readonly claims: FolderClaims
}

/**
 * One tenant → objects validated against their JSON schemas and checked by every guardrail →
 * one YAML file per component. Pure: same tenant, platform and API image, same bytes. The image is
 * an input of its own (a rollout gives tenants different versions of the platform's API); by
 * default the tenant's pin or the platform's version.
 */
export const renderTenant = (
  tenant: Tenant,
  platform: Platform,
  apiImage: PinnedImage = apiImageFor(tenant, platform),
): RenderedTenant => {
  const plan = planTenant(tenant)
  if (plan === undefined)
    return {
      name: tenant.name,
      objects: [],
      files: new Map(),
      violations: [],
      policyViolations: [],
      claims: { tenant: tenant.name, hosts: [], shared: [] },
    }
  const placed = synthesizeTenant(makeTenantContext(tenant, platform, plan, apiImage))
  const objects = placed.map(({ object }) => object)
  const violations: Array<SchemaViolation> = []
  const context = contextOf({ platform })
  const folder = {
    tenant: tenant.name,
    objects: placed.map(({ component, object }) =>
      place(`${tenant.name}/${component}/${MANIFEST_FILE}`, object, context),
    ),
  }
  const byComponent = new Map<string, Array<KubeObject>>()
  const seen = new Set<string>()
  for (const { component, object } of placed) {
    violations.push(...validateObject(object, tenant.name))
    // Two objects of one identity in a component: Argo CD would apply one over the other.
    const identity = `${component} ${object.apiVersion} ${object.kind} ${object.metadata.namespace ?? ""} ${object.metadata.name}`
    if (seen.has(identity))
      violations.push({
        tenant: tenant.name,
        object: refOf(object),
        path: "",
        message: `two objects of ${component} are ${refOf(object)}`,
      })
    seen.add(identity)
    byComponent.set(component, [...(byComponent.get(component) ?? []), object])
  }
  const files = new Map(
    [...byComponent].map(([component, objects]) => [`${component}/${MANIFEST_FILE}`, toComponentManifest(objects)]),
  )
  // The same folder-level engine `pnpm policy` and publish run, on exactly what is about to be written.
  const policyViolations = checkFolder(folder, context).map(({ rule, object, message }) => ({
    tenant: tenant.name,
    rule,
    object,
    message,
  }))
  return { name: tenant.name, objects, files, violations, policyViolations, claims: claimsOf(folder) }
}
