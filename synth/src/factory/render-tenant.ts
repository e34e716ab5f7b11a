import { apiImageFor, type PinnedImage, type Platform, type Tenant } from "@ppi/config"
import { checkFolder, claimsOf, contextOf, type FolderClaims, place } from "@ppi/policy"
import { makeTenantContext } from "../constructs/tenant-context.ts"
import { toCanonicalYaml } from "../emit/canonical-yaml.ts"
import type { PolicyViolation, SchemaViolation } from "../errors.ts"
import { objectRef, validateObject } from "../validate/validate-object.ts"
import type { K8sObject } from "./k8s-object.ts"
import { synthesizeTenant } from "./tenant-chart.ts"
import { planTenant } from "./tier-plan.ts"

export interface RenderedTenant {
  readonly name: string
  readonly objects: ReadonlyArray<K8sObject>
  /** Path within the tenant's folder (`app/deployment-api.yaml`) → YAML. */
  readonly files: ReadonlyMap<string, string>
  readonly violations: ReadonlyArray<SchemaViolation>
  readonly policyViolations: ReadonlyArray<PolicyViolation>
  /** Its hostnames and the objects it places in shared namespaces, for the fleet-wide checks. */
  readonly claims: FolderClaims
}

/** `Deployment` `api` → `deployment-api.yaml`: stable, readable, unique within a component. */
export const fileNameOf = (object: K8sObject): string => `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`

/**
 * One tenant → objects validated against their JSON schemas and checked by every guardrail →
 * YAML files. Pure: same tenant, platform and API image, same bytes. The image is an input of its
 * own (a rollout gives tenants different versions of the platform's API); by default the tenant's
 * pin or the platform's version.
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
  const files = new Map<string, string>()
  const context = contextOf({ platform })
  const folder = {
    tenant: tenant.name,
    objects: placed.map(({ component, object }) =>
      place(`${tenant.name}/${component}/${fileNameOf(object)}`, object, context),
    ),
  }
  for (const { component, object } of placed) {
    for (const violation of validateObject(object)) violations.push({ tenant: tenant.name, ...violation })
    const fileName = `${component}/${fileNameOf(object)}`
    if (files.has(fileName))
      violations.push({
        tenant: tenant.name,
        object: objectRef(object),
        path: "",
        message: `two objects map to ${fileName}`,
      })
    files.set(fileName, toCanonicalYaml(object))
  }
  // The same folder-level engine `pnpm policy` and publish run, on exactly what is about to be written.
  const policyViolations = checkFolder(folder, context).map(({ rule, object, message }) => ({
    tenant: tenant.name,
    rule,
    object,
    message,
  }))
  return { name: tenant.name, objects, files, violations, policyViolations, claims: claimsOf(folder) }
}
