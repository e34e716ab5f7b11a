import { FLEET_FOLDER, type Platform } from "@ppi/config"
import type { KubeObject } from "@ppi/policy"
import { App, Chart } from "cdk8s"
import { addPlatformProject } from "../constructs/argocd/platform-project.ts"
import { toCanonicalYaml } from "../emit/canonical-yaml.ts"
import type { SchemaViolation } from "../errors.ts"
import { validateObject } from "../validate/validate-object.ts"
import { fileNameOf } from "./render-tenant.ts"

/** Fleet-wide objects (the platform's AppProject) → `_platform/argocd/*.yaml`. */
export const renderFleet = (
  platform: Platform,
  tenants: ReadonlyArray<string>,
): {
  /** Each object with the path it is written to, for the policy engine. */
  readonly objects: ReadonlyArray<{ readonly path: string; readonly object: KubeObject }>
  readonly files: ReadonlyMap<string, string>
  readonly violations: ReadonlyArray<SchemaViolation>
} => {
  const chart = new Chart(new App({ outdir: "/nonexistent" }), "fleet", { disableResourceNameHashes: true })
  addPlatformProject(chart, platform, tenants)
  const objects = chart.toJson() as ReadonlyArray<KubeObject>
  const placed = objects.map((object) => ({ path: `${FLEET_FOLDER}/argocd/${fileNameOf(object)}`, object }))
  return {
    objects: placed,
    files: new Map(placed.map(({ path, object }) => [path, toCanonicalYaml(object)])),
    violations: objects.flatMap((object) => validateObject(object, FLEET_FOLDER)),
  }
}
