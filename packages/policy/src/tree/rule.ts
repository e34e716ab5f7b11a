import type { TreeContext } from "./context.ts"
import type { Finding, Folder, Placed } from "./model.ts"

/** A rule over one first-level folder of a tree, judging each object by where it sits. */
export interface TreeRule {
  readonly id: string
  readonly description: string
  readonly check: (folder: Folder, context: TreeContext) => ReadonlyArray<Finding>
}

/** A TreeRule made of a check on each object (with its folder and the context at hand). */
export const perObject = (
  id: string,
  description: string,
  check: (placed: Placed, folder: Folder, context: TreeContext) => ReadonlyArray<string>,
): TreeRule => ({
  id,
  description,
  check: (folder, context) =>
    folder.objects.flatMap((placed) => check(placed, folder, context).map((message) => ({ at: placed, message }))),
})

/** Objects of one kind in a folder. */
export const ofKind = (folder: Folder, kind: string): ReadonlyArray<Placed> =>
  folder.objects.filter((placed) => placed.object.kind === kind)
