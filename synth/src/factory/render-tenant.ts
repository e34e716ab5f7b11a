import type { Platform, Tenant } from "@ppi/config"
import { checkTenant } from "@ppi/policy"
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
}

/** `Deployment` `api` → `deployment-api.yaml`: stable, readable, unique within a component. */
export const fileNameOf = (object: K8sObject): string => `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`

/**
 * One tenant → objects validated against their JSON schemas and checked by every guardrail →
 * YAML files. Pure: same tenant and platform, same bytes.
 */
export const renderTenant = (tenant: Tenant, platform: Platform): RenderedTenant => {
  const plan = planTenant(tenant)
  if (plan === undefined)
    return { name: tenant.name, objects: [], files: new Map(), violations: [], policyViolations: [] }
  const placed = synthesizeTenant(makeTenantContext(tenant, platform, plan))
  const objects = placed.map(({ object }) => object)
  const violations: Array<SchemaViolation> = []
  const files = new Map<string, string>()
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
  const policyViolations = checkTenant(tenant.name, objects).map((violation) => ({ tenant: tenant.name, ...violation }))
  return { name: tenant.name, objects, files, violations, policyViolations }
}
