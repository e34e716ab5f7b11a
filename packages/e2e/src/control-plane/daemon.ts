import { spawn } from "node:child_process"
import { closeSync, openSync, readFileSync } from "node:fs"
import { connect, createServer } from "node:net"
import { join } from "node:path"
import { Duration, Effect, Schema } from "effect"

export class DaemonFailed extends Schema.TaggedError<DaemonFailed>()("DaemonFailed", {
  name: Schema.String,
  reason: Schema.String,
  log: Schema.String,
}) {
  override get message(): string {
    return `${this.name}: ${this.reason}\n--- last lines of its log ---\n${this.log}`
  }
}

export interface Daemon {
  readonly name: string
  readonly pid: number
  readonly logFile: string
  /** The exit code once it has exited on its own, else undefined. */
  readonly exited: () => number | null | undefined
  readonly logTail: (lines?: number) => string
}

/** Process groups still running, killed synchronously if the test process exits without finalizers. */
const running = new Set<number>()
const killAll = () => {
  for (const pgid of running) killGroup(pgid, "SIGKILL")
}
process.once("exit", killAll)
// A signal skips "exit": stop the daemons, then die of the same signal.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.once(signal, () => {
    killAll()
    process.kill(process.pid, signal)
  })

const killGroup = (pgid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

const tail = (file: string, lines = 40) => {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n")
  } catch {
    return "(no log)"
  }
}

/**
 * Starts a long-running upstream process in its own process group, logging to `<logDir>/<name>.log`,
 * and stops the whole group when the scope closes (TERM, then KILL after 10 s), whatever the outcome.
 */
export const daemon = (
  name: string,
  command: string,
  args: ReadonlyArray<string>,
  logDir: string,
  env: NodeJS.ProcessEnv = process.env,
) =>
  Effect.acquireRelease(
    Effect.sync((): Daemon & { readonly done: Promise<void> } => {
      const logFile = join(logDir, `${name}.log`)
      const fd = openSync(logFile, "a")
      const child = spawn(command, args, { detached: true, env, stdio: ["ignore", fd, fd] })
      closeSync(fd)
      let exitCode: number | null | undefined
      const done = new Promise<void>((resolve) =>
        child.once("exit", (code) => {
          exitCode = code
          running.delete(child.pid ?? -1)
          resolve()
        }),
      )
      if (child.pid === undefined) throw new Error(`${name} could not be spawned`)
      running.add(child.pid)
      return {
        name,
        pid: child.pid,
        logFile,
        done,
        exited: () => exitCode,
        logTail: (lines) => tail(logFile, lines),
      }
    }),
    (process) =>
      Effect.promise(async () => {
        if (process.exited() !== undefined) return
        killGroup(process.pid, "SIGTERM")
        const killed = await Promise.race([
          process.done.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
        ])
        if (!killed) killGroup(process.pid, "SIGKILL")
        await process.done
      }),
  )

/**
 * Polls `check` until it succeeds, failing early with the daemon's log if the daemon exits, or
 * after `timeout`.
 */
export const waitUntil = <E, R>(
  process: Daemon,
  what: string,
  check: Effect.Effect<boolean, E, R>,
  timeout: Duration.Input = Duration.minutes(2),
): Effect.Effect<void, DaemonFailed, R> =>
  Effect.gen(function* () {
    const limit = Duration.fromInputUnsafe(timeout)
    const deadline = Date.now() + Duration.toMillis(limit)
    for (;;) {
      const code = process.exited()
      if (code !== undefined)
        return yield* new DaemonFailed({ name: process.name, reason: `exited (${code})`, log: process.logTail() })
      if (yield* check.pipe(Effect.orElseSucceed(() => false))) return
      if (Date.now() > deadline)
        return yield* new DaemonFailed({
          name: process.name,
          reason: `not ${what} after ${Duration.format(limit)}`,
          log: process.logTail(),
        })
      yield* Effect.sleep(Duration.millis(250))
    }
  })

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export const freePort = Effect.promise(
  () =>
    new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        server.close(() =>
          typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
        )
      })
    }),
)

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export const listening = (port: number): Effect.Effect<boolean> =>
  Effect.promise(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port })
        socket.once("connect", () => {
          socket.destroy()
          resolve(true)
        })
        socket.once("error", () => resolve(false))
      }),
  )
