import { Schema } from "effect"

/**
 * One problem in one config file, located by its field path (`resources.cpuMillis`, `hostnames[1]`)
 * and, when it was found in the source text rather than in the decoded value, by line and column.
 */
export const ConfigIssue = Schema.Struct({
  file: Schema.String,
  path: Schema.String,
  message: Schema.String,
  location: Schema.optionalKey(Schema.Struct({ line: Schema.Number, column: Schema.Number })),
})
export type ConfigIssue = typeof ConfigIssue.Type

/** `tenants/acme.ts:3:19: owner.email: …`, or `tenants/acme.ts: owner.email: …` without a location. */
export const formatIssue = (issue: ConfigIssue): string =>
  `${issue.file}${issue.location ? `:${issue.location.line}:${issue.location.column}` : ""}: ${issue.path === "" ? "(root)" : issue.path}: ${issue.message}`

/**
 * A config file (tenant or platform) that does not decode. Carries every problem, not only the first;
 * `cause` is what was thrown when the file could not even be read.
 */
export class InvalidConfig extends Schema.TaggedError<InvalidConfig>()("InvalidConfig", {
  issues: Schema.Array(ConfigIssue),
  cause: Schema.optional(Schema.Defect()),
}) {
  override get message(): string {
    return this.issues.map(formatIssue).join("\n")
  }
}
