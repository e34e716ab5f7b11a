import type { PolicyViolation } from "../errors.ts"

/**
 * The tenant-file field a rule judges, where the objects it checks come from one: a reader fixes
 * `image` in `tenants/acme.ts`, not `Deployment/api`. Rules on what the platform adds map to none.
 */
const fieldOfRule: Readonly<Record<string, string>> = {
  "hygiene/image-pinned": "image",
  "hygiene/requests-and-limits": "resources",
  "hygiene/required-labels": "labels",
  "secrets/no-plaintext": "env",
  "hygiene/pdb-for-replicated": "replicas",
}

export const locateViolation = (violation: PolicyViolation, file: string | undefined): PolicyViolation => {
  const field = fieldOfRule[violation.rule]
  return { ...violation, ...(file === undefined ? {} : { file }), ...(field === undefined ? {} : { field }) }
}
