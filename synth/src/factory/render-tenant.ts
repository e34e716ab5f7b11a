import type { Platform, Tenant } from "@ppi/config"
import { makeTenantContext } from "../constructs/tenant-context.ts"
import { toCanonicalYaml } from "../emit/canonical-yaml.ts"
import type { SchemaViolation } from "../errors.ts"
import { objectRef, validateObject } from "../validate/validate-object.ts"
import { type K8sObject, synthesizeTenant } from "./tenant-chart.ts"
import { planTenant } from "./tier-plan.ts"

export interface RenderedTenant {
  readonly name: string
  readonly objects: ReadonlyArray<K8sObject>
  /** File name within the tenant's folder → YAML. */
  readonly files: ReadonlyMap<string, string>
  readonly violations: ReadonlyArray<SchemaViolation>
}

/** `Deployment` `api` → `deployment-api.yaml`: stable, readable, unique within a tenant. */
export const fileNameOf = (object: K8sObject): string => `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`

/** One tenant → validated objects → YAML files. Pure: same tenant and platform, same bytes. */
export const renderTenant = (tenant: Tenant, platform: Platform): RenderedTenant => {
  const plan = planTenant(tenant)
  if (plan === undefined) return { name: tenant.name, objects: [], files: new Map(), violations: [] }
  const objects = synthesizeTenant(makeTenantContext(tenant, platform, plan))
  const violations: Array<SchemaViolation> = []
  const files = new Map<string, string>()
  for (const object of objects) {
    for (const violation of validateObject(object)) violations.push({ tenant: tenant.name, ...violation })
    const fileName = fileNameOf(object)
    if (files.has(fileName))
      violations.push({
        tenant: tenant.name,
        object: objectRef(object),
        path: "",
        message: `two objects map to ${fileName}`,
      })
    files.set(fileName, toCanonicalYaml(object))
  }
  return { name: tenant.name, objects, files, violations }
}
