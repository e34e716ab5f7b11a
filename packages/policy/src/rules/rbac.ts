import { CREDENTIALS_READER, generatedSecretOf, namespaceOf } from "@ppi/config"
import { field, isRecord, list } from "../kube-object.ts"
import type { TreeContext } from "../tree/context.ts"
import type { Placed } from "../tree/model.ts"
import { ofKind, perObject, type TreeRule } from "../tree/rule.ts"

/**
 * RBAC judged by what it grants. The only grant synth makes is the tenant's secret store reading
 * two named Secrets of the platform namespace (its own generated one and the operator's), so:
 * `get` only, on core `secrets` only, by name only, those names only, to that one identity only.
 */

const ROLE_KINDS = new Set(["Role", "ClusterRole"])
const BINDING_KINDS = new Set(["RoleBinding", "ClusterRoleBinding"])

const rulesOf = (placed: Placed): ReadonlyArray<Readonly<Record<string, unknown>>> =>
  ROLE_KINDS.has(placed.object.kind) ? list(placed.object.rules).filter(isRecord) : []

const strings = (value: unknown): ReadonlyArray<string> => list(value).map(String)

const noWildcards = perObject("rbac/no-wildcards", "No `*` in any RBAC rule", (placed) =>
  rulesOf(placed).flatMap((rule, i) =>
    (["apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"] as const)
      .filter((key) => strings(rule[key]).some((value) => value.includes("*")))
      .map((key) => `rule ${i}: ${key} has a wildcard`),
  ),
)

const onlyGet = perObject("rbac/verbs", "Roles grant only get", (placed) =>
  rulesOf(placed).flatMap((rule, i) =>
    strings(rule.verbs)
      .filter((verb) => verb !== "get")
      .map((verb) => `rule ${i}: grants ${verb}`),
  ),
)

const onlySecrets = perObject("rbac/resources", "Roles grant access to core secrets only", (placed) =>
  rulesOf(placed).flatMap((rule, i) => [
    ...strings(rule.apiGroups)
      .filter((group) => group !== "")
      .map((group) => `rule ${i}: API group ${group}`),
    ...strings(rule.resources)
      .filter((resource) => resource !== "secrets")
      .map((resource) => `rule ${i}: resource ${resource}`),
    ...(strings(rule.nonResourceURLs).length > 0 ? [`rule ${i}: non-resource URLs`] : []),
  ]),
)

const byName = perObject(
  "rbac/resource-names",
  "Every rule names the tenant's own secrets (its generated one and the operator's), nothing else",
  (placed, _folder, context: TreeContext) =>
    rulesOf(placed).flatMap((rule, i) => {
      const names = strings(rule.resourceNames)
      const own = [generatedSecretOf(placed.tenant), context.operatorSecret]
      return names.length === 0
        ? [`rule ${i}: no resourceNames, so it grants every object of the resource`]
        : names
            .filter((name) => !own.includes(name))
            .map((name) => `rule ${i}: names ${name}, not a secret of ${placed.tenant}`)
    }),
)

export const roleRef = perObject(
  "rbac/role-ref",
  "A RoleBinding binds a Role of the same folder and namespace, never a ClusterRole",
  (placed, folder) => {
    if (!BINDING_KINDS.has(placed.object.kind)) return []
    const ref = placed.object.roleRef
    const kind = field(ref, "kind")
    const name = field(ref, "name")
    if (kind !== "Role") return [`binds ${String(kind)} ${String(name)}`]
    return ofKind(folder, "Role").some(
      (role) => role.object.metadata.name === name && role.namespace === placed.namespace,
    )
      ? []
      : [`binds Role ${String(name)}, which this folder does not define in ${String(placed.namespace)}`]
  },
)

export const subjects = perObject(
  "rbac/subjects",
  "A RoleBinding's only subject is the tenant's credentials-reader ServiceAccount",
  (placed) => {
    if (!BINDING_KINDS.has(placed.object.kind)) return []
    const all = list(placed.object.subjects)
    if (all.length === 0) return ["has no subject"]
    return all.flatMap((subject) =>
      field(subject, "kind") === "ServiceAccount" &&
      field(subject, "name") === CREDENTIALS_READER &&
      field(subject, "namespace") === namespaceOf(placed.tenant)
        ? []
        : [
            `binds ${String(field(subject, "kind"))} ${String(field(subject, "namespace") ?? "")}/${String(field(subject, "name"))}`,
          ],
    )
  },
)

export const rbacRules: ReadonlyArray<TreeRule> = [noWildcards, onlyGet, onlySecrets, byName, roleRef, subjects]
