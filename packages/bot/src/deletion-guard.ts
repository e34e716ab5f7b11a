import { FLEET_FOLDER } from "@ppi/config"
import { Schema } from "effect"

/** The publish would remove tenants that were never decommissioned, or everything. */
export class DeletionRefused extends Schema.TaggedError<DeletionRefused>()("DeletionRefused", {
  tenants: Schema.Array(Schema.String),
  empty: Schema.Boolean,
}) {
  override get message(): string {
    if (this.empty)
      return "refusing to publish an empty synth over a deploy branch that has tenants: a missing or unreadable tenants/ folder would delete the whole fleet. If you really mean it, publish with --allow-empty."
    return `refusing to remove tenant(s) ${this.tenants.join(", ")} from the deploy branch: their files vanished but they were never decommissioned. Set \`state: "decommissioned"\` in their tenant files (data is retained), or publish with --allow-removal ${this.tenants.join(",")} if this is intended.`
  }
}

export const tenantFolders = (paths: ReadonlyArray<string>): ReadonlySet<string> =>
  new Set(
    paths
      .map((path) => path.split("/")[0] ?? "")
      .filter((name) => name !== "" && name !== FLEET_FOLDER && !name.includes(".")),
  )

/**
 * What may leave the deploy branch: a tenant whose file says `decommissioned`, or one an operator
 * named explicitly. A tenant whose file simply vanished stays; an empty synth never replaces a fleet.
 */
export const checkRemovals = (input: {
  readonly before: ReadonlySet<string>
  readonly after: ReadonlySet<string>
  readonly decommissioned: ReadonlySet<string>
  readonly allowRemovals: ReadonlySet<string>
  readonly allowEmpty: boolean
}): DeletionRefused | undefined => {
  if (input.after.size === 0 && input.before.size > 0 && !input.allowEmpty)
    return new DeletionRefused({ tenants: [], empty: true })
  const refused = [...input.before]
    .filter(
      (tenant) => !input.after.has(tenant) && !input.decommissioned.has(tenant) && !input.allowRemovals.has(tenant),
    )
    .sort()
  return refused.length > 0 ? new DeletionRefused({ tenants: refused, empty: false }) : undefined
}
