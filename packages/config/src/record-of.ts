import { Exit, Schema, SchemaIssue } from "effect"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * A record whose keys are checked by `key`. `Schema.Record` with a refined key schema drops a
 * bad key as an "excess property"; this reports it at `field.KEY` with the key schema's own message.
 */
export const recordOf = <V extends Schema.Top>(key: Schema.Decoder<string>, value: V) => {
  const decodeKey = Schema.decodeUnknownExit(key)
  return Schema.Record(Schema.String, value).check(
    Schema.makeFilter((record: Readonly<Record<string, unknown>>) =>
      Object.keys(record).flatMap((name) => {
        const exit = decodeKey(name)
        if (Exit.isSuccess(exit)) return []
        const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
        const message = error ? (formatter(error.issue).issues[0]?.message ?? "invalid key") : "invalid key"
        return [{ path: [name], issue: message }]
      }),
    ),
  )
}
