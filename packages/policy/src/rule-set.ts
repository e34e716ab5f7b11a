import type { KubeObject, ObjectRule, TenantRule, Violation } from "./kube-object.ts"
import { refOf } from "./kube-object.ts"
import { noPlaintextSecrets } from "./rules/plaintext-secrets.ts"
import { podSecurityRules } from "./rules/pod-security.ts"
import { argoConfined, defaultDeny, namespacedOnly, pdbForReplicated, quotaPresent } from "./rules/tenant-isolation.ts"
import {
  imagesPinned,
  noNodePortOrLoadBalancer,
  noTokenAutomount,
  probesSet,
  readOnlyRoot,
  requiredLabels,
  resourceQuotaComplete,
  resourcesSet,
} from "./rules/workload-hygiene.ts"

/** Every rule on a single object. Adding a rule: write it next to its kind, list it here, test it. */
export const objectRules: ReadonlyArray<ObjectRule> = [
  ...podSecurityRules,
  imagesPinned,
  resourcesSet,
  probesSet,
  readOnlyRoot,
  noTokenAutomount,
  requiredLabels,
  noNodePortOrLoadBalancer,
  resourceQuotaComplete,
  noPlaintextSecrets,
]

export const tenantRules: ReadonlyArray<TenantRule> = [
  namespacedOnly,
  quotaPresent,
  defaultDeny,
  pdbForReplicated,
  argoConfined,
]

/** Runs every rule over one tenant's objects. */
export const checkTenant = (tenant: string, objects: ReadonlyArray<KubeObject>): ReadonlyArray<Violation> => [
  ...objects.flatMap((object) =>
    objectRules.flatMap((rule) =>
      rule.check(object).map((message) => ({ rule: rule.id, object: refOf(object), message })),
    ),
  ),
  ...tenantRules.flatMap((rule) =>
    rule.check(objects, tenant).map((message) => ({ rule: rule.id, object: `tenant/${tenant}`, message })),
  ),
]
