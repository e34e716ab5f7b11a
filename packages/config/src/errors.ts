import { Schema } from "effect"

/** One problem in one config file, located by its field path (`resources.cpuMillis`, `hostnames[1]`). */
export const ConfigIssue = Schema.Struct({
  file: Schema.String,
  path: Schema.String,
  message: Schema.String,
})
export type ConfigIssue = typeof ConfigIssue.Type

export const formatIssue = (issue: ConfigIssue): string =>
  `${issue.file}: ${issue.path === "" ? "(root)" : issue.path}: ${issue.message}`

/** A config file (tenant or platform) that does not decode. Carries every problem, not only the first. */
export class InvalidConfig extends Schema.TaggedError<InvalidConfig>()("InvalidConfig", {
  issues: Schema.Array(ConfigIssue),
}) {
  override get message(): string {
    return this.issues.map(formatIssue).join("\n")
  }
}
