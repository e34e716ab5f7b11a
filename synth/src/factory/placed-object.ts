import type { KubeObject } from "@ppi/policy"

/**
 * Which part of a tenant an object belongs to; each is its own folder, `out/<tenant>/<component>/`,
 * deployed by its own Argo CD Application:
 * - `platform`: what the tenant must not change (namespace, quota, limits, network policies,
 *   data-plane provisioning) — owned by the platform's AppProject;
 * - `app`: the tenant's workload, confined to the tenant's namespace by the tenant's AppProject;
 * - `argocd`: the tenant's AppProject and the two Applications, found by the root app-of-apps.
 */
export const Components = ["platform", "app", "argocd"] as const
export type Component = (typeof Components)[number]

export interface PlacedObject {
  readonly component: Component
  readonly object: KubeObject
}
