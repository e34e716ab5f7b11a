import { isClusterScoped } from "../scope.ts"
import type { TreeContext } from "../tree/context.ts"
import type { Placed } from "../tree/model.ts"
import { isAllowlisted, KNOWN_KINDS, kindKey, namespaceFor, slotsFor } from "../tree/placement.ts"
import { perObject, type TreeRule } from "../tree/rule.ts"

const skip = (placed: Placed, context: TreeContext): boolean =>
  isAllowlisted(context, placed.component, placed.object.kind) || slotsFor(placed, context).length === 0

const unknownKind = perObject(
  "tree/unknown-kind",
  "Only kinds synth emits may appear (others only when allowlisted)",
  (placed, _folder, context) =>
    KNOWN_KINDS.has(kindKey(placed.object)) || isAllowlisted(context, placed.component, placed.object.kind)
      ? []
      : [`${placed.object.apiVersion} ${placed.object.kind} is not a kind synth emits`],
)

const kindInComponent = perObject(
  "tree/kind-in-component",
  "A component holds only the kinds synth emits for it",
  (placed, _folder, context) =>
    !KNOWN_KINDS.has(kindKey(placed.object)) ||
    isAllowlisted(context, placed.component, placed.object.kind) ||
    slotsFor(placed, context).length > 0
      ? []
      : [`${placed.object.kind} does not belong in ${placed.tenant}/${placed.component}`],
)

const describeNamespace = (namespace: string | undefined): string =>
  namespace === undefined ? "cluster-scoped" : `namespace ${namespace}`

/** The namespace comes from the folder, and the kind's real scope, never from what the object claims. */
const namespaceFromFolder = perObject(
  "tree/namespace",
  "An object lands in the namespace its folder allows (tenant, platform or Argo CD's), by its kind's real scope",
  (placed, _folder, context) => {
    if (skip(placed, context)) return []
    const allowed = [
      ...new Set(slotsFor(placed, context).map((slot) => namespaceFor(slot.namespace, placed.tenant, context))),
    ]
    const problems: Array<string> = []
    if (!allowed.includes(placed.namespace))
      problems.push(
        `lands in ${describeNamespace(placed.namespace)}; ${placed.tenant}/${placed.component} may place a ${placed.object.kind} only ${allowed.map((n) => (n === undefined ? "cluster-wide" : `in ${n}`)).join(" or ")}`,
      )
    if (isClusterScoped(placed.object) && placed.object.metadata.namespace !== undefined)
      problems.push(`is cluster-scoped but claims namespace ${placed.object.metadata.namespace}`)
    return problems
  },
)

const pinnedName = perObject(
  "tree/name",
  "Objects synth places in shared namespaces carry their tenant's name",
  (placed, _folder, context) => {
    if (skip(placed, context)) return []
    const slots = slotsFor(placed, context).filter(
      (slot) => namespaceFor(slot.namespace, placed.tenant, context) === placed.namespace,
    )
    if (slots.length === 0 || slots.some((slot) => slot.name === undefined)) return []
    const names = slots.map((slot) => slot.name?.(placed.tenant) ?? "")
    return names.includes(placed.object.metadata.name)
      ? []
      : [`must be named ${names.join(" or ")} in ${placed.tenant}/${placed.component}`]
  },
)

/** Two documents for one object: which one the cluster gets depends on the order they are applied. */
const noDuplicates: TreeRule = {
  id: "tree/duplicate",
  description: "No object is defined twice",
  check: (folder) => {
    const seen = new Map<string, Placed>()
    return folder.objects.flatMap((placed) => {
      const key = `${kindKey(placed.object)}/${placed.namespace ?? ""}/${placed.object.metadata.name}`
      const first = seen.get(key)
      if (first === undefined) {
        seen.set(key, placed)
        return []
      }
      return [{ at: placed, message: `defined again (first in ${first.path})` }]
    })
  },
}

export const placementRules: ReadonlyArray<TreeRule> = [
  unknownKind,
  kindInComponent,
  namespaceFromFolder,
  pinnedName,
  noDuplicates,
]
