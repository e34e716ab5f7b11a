import { ConfigIssue, formatIssue, type InvalidConfig } from "@ppi/config"
import { Schema } from "effect"

export { InvalidConfig } from "@ppi/config"

/** Two tenants claim the same name, namespace or hostname. */
export class TenantConflict extends Schema.TaggedError<TenantConflict>()("TenantConflict", {
  issues: Schema.Array(ConfigIssue),
}) {
  override get message(): string {
    return this.issues.map(formatIssue).join("\n")
  }
}

export const SchemaViolation = Schema.Struct({
  tenant: Schema.String,
  object: Schema.String,
  path: Schema.String,
  message: Schema.String,
})
export type SchemaViolation = typeof SchemaViolation.Type

/** Synthesized objects that do not validate against the Kubernetes / CRD JSON schemas. */
export class InvalidManifests extends Schema.TaggedError<InvalidManifests>()("InvalidManifests", {
  violations: Schema.Array(SchemaViolation),
}) {
  override get message(): string {
    return this.violations
      .map((v) => `${v.tenant}: ${v.object}${v.path === "" ? "" : ` ${v.path}`}: ${v.message}`)
      .join("\n")
  }
}

export const PolicyViolation = Schema.Struct({
  tenant: Schema.String,
  rule: Schema.String,
  object: Schema.String,
  message: Schema.String,
  /** The tenant file the object was made from, and the field of it the rule judges, where one does. */
  file: Schema.optionalKey(Schema.String),
  field: Schema.optionalKey(Schema.String),
})
export type PolicyViolation = typeof PolicyViolation.Type

/** Synthesized objects that break a guardrail (`@ppi/policy`): nothing is written. */
export class PolicyViolations extends Schema.TaggedError<PolicyViolations>()("PolicyViolations", {
  violations: Schema.Array(PolicyViolation),
}) {
  override get message(): string {
    return this.violations
      .map((v) => `${v.file ?? v.tenant}: ${v.field ? `${v.field}: ` : ""}${v.object}: [${v.rule}] ${v.message}`)
      .join("\n")
  }
}

/**
 * The output folder could not be written or swapped; the previous output is untouched. Either synth
 * refused (`reason`) or the file system failed (`cause`, what was thrown).
 */
export class OutputFailed extends Schema.TaggedError<OutputFailed>()("OutputFailed", {
  path: Schema.String,
  reason: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect()),
}) {
  override get message(): string {
    return `${this.path}: ${this.reason ?? (this.cause instanceof Error ? this.cause.message : String(this.cause))}`
  }
}

/** What the output is rendered from could not be read (the previous output, the synth's own code). */
export class InputUnreadable extends Schema.TaggedError<InputUnreadable>()("InputUnreadable", {
  path: Schema.String,
  reason: Schema.String,
}) {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

/**
 * Rendering a tenant threw, or a render worker died (`tenant` absent: which tenant it was on is not
 * known). A bug in the synth, not in the tenant's file: nothing is written.
 */
export class RenderFailed extends Schema.TaggedError<RenderFailed>()("RenderFailed", {
  tenant: Schema.optional(Schema.String),
  cause: Schema.Defect(),
}) {
  override get message(): string {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `${this.tenant ?? "a render worker"}: the render failed: ${reason}`
  }
}

export type SynthError =
  | InvalidConfig
  | TenantConflict
  | InvalidManifests
  | PolicyViolations
  | OutputFailed
  | InputUnreadable
  | RenderFailed
