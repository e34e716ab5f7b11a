import { Effect, Schema } from "effect"

/** A local file or folder could not be read or written; `cause` is what `node:fs` threw. */
export class FileFailed extends Schema.TaggedError<FileFailed>()("FileFailed", {
  operation: Schema.String,
  path: Schema.String,
  cause: Schema.Defect(),
}) {
  override get message(): string {
    return `cannot ${this.operation} ${this.path}: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

/** Runs one `node:fs` call, its rejection a typed `FileFailed` rather than a defect. */
export const tryFile = <A>(operation: string, path: string, run: () => Promise<A>): Effect.Effect<A, FileFailed> =>
  Effect.tryPromise({ try: run, catch: (cause) => new FileFailed({ operation, path, cause }) })
