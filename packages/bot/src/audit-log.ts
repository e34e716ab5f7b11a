import { appendFile } from "node:fs/promises"
import { Clock, Context, Effect, Layer, Ref } from "effect"
import { type FileFailed, tryFile } from "./file-system.ts"

export interface AuditEntry {
  readonly actor: string
  readonly action: "provision" | "decommission"
  readonly tenant: string
  readonly pullRequest: string | undefined
  readonly outcome: "opened" | "existing" | "failed"
  readonly detail?: string
}

/** Every lifecycle action, as structured JSON lines: who, what, which tenant, which PR, how it ended. */
export class AuditLog extends Context.Service<
  AuditLog,
  {
    /** Fails when the entry could not be kept: an action nobody can audit is reported as failed. */
    readonly record: (entry: AuditEntry) => Effect.Effect<void, FileFailed>
    readonly entries: Effect.Effect<ReadonlyArray<string>>
  }
>()("@ppi/bot/AuditLog") {
  /** Appends to a JSON-lines file. */
  static readonly file = (path: string) =>
    Layer.succeed(AuditLog, {
      record: (entry) =>
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) =>
            tryFile("append to the audit log", path, () =>
              appendFile(path, `${JSON.stringify({ time: new Date(now).toISOString(), ...entry })}\n`),
            ),
          ),
        ),
      entries: Effect.succeed([]),
    })

  /** Writes the lines to stderr (the CLI without --audit-log: the workflow's log keeps them). */
  static readonly stderr = Layer.succeed(AuditLog, {
    record: (entry) =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) =>
          Effect.sync(() =>
            process.stderr.write(`${JSON.stringify({ time: new Date(now).toISOString(), ...entry })}\n`),
          ),
        ),
      ),
    entries: Effect.succeed([]),
  })

  /** Keeps the lines in memory (tests). */
  static readonly memory = Layer.effect(
    AuditLog,
    Effect.gen(function* () {
      const lines = yield* Ref.make<ReadonlyArray<string>>([])
      return {
        record: (entry: AuditEntry) =>
          Clock.currentTimeMillis.pipe(
            Effect.flatMap((now) =>
              Ref.update(lines, (all) => [...all, JSON.stringify({ time: new Date(now).toISOString(), ...entry })]),
            ),
          ),
        entries: Ref.get(lines),
      }
    }),
  )
}
