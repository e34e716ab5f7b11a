import { availableParallelism } from "node:os"
import { setImmediate } from "node:timers/promises"
import { type ResourceLimits, Worker } from "node:worker_threads"
import type { Platform, Tenant } from "@ppi/config"
import { Effect, Match } from "effect"
import { RenderFailed } from "../errors.ts"
import { renderFresh, type TenantInputs, type TenantOutput } from "./render-fresh.ts"
import type { RenderJob, WorkerReply } from "./render-worker.ts"

/** A tenant to render afresh. */
export interface FreshJob {
  readonly tenant: Tenant
  readonly inputs: TenantInputs
}

export interface PoolOptions {
  /** Called with the number of tenants done so far, as each result arrives. */
  readonly onProgress?: (done: number) => void
  /** Render on the main thread alone below this many tenants: a worker would not be ready before the end. */
  readonly inlineBelow?: number
  /** How many workers besides the main thread; by default one per further core, capped. */
  readonly workers?: number
  /** Whether the main thread renders too (the default); without it, it only hands out work and collects results. */
  readonly mainThread?: boolean
  /**
   * Called with each output as it arrives, in any order; what it returns is kept instead (synth
   * writes the tenant's files to disk and keeps only their paths: a fleet never sits in memory).
   */
  readonly onOutput?: (output: TenantOutput) => TenantOutput
  /** Limits of each worker's heap (Node's `resourceLimits`): a worker over them dies, failing the batch. */
  readonly resourceLimits?: ResourceLimits
}

// A worker takes ~1–3 s to load the renderer (more on a busy machine); the main thread renders ~200 tenants a second.
const INLINE_BELOW = 300
const MAX_WORKERS = 3
// Large enough that messages are few, small enough that the main thread answers workers often and the tail is short.
const CHUNK = 16

const WORKER = new URL("./render-worker.ts", import.meta.url)

/** Renders one tenant on this thread; a throw is the tenant's `RenderFailed`. */
const renderHere = (platform: Platform, { tenant, inputs }: FreshJob): TenantOutput | RenderFailed => {
  try {
    return renderFresh(tenant, platform, inputs)
  } catch (cause) {
    return new RenderFailed({ tenant: tenant.name, cause })
  }
}

const inline = (platform: Platform, jobs: ReadonlyArray<FreshJob>, options: PoolOptions) =>
  Effect.suspend(() => {
    const outputs: Array<TenantOutput> = []
    for (const job of jobs) {
      const output = renderHere(platform, job)
      if (output instanceof RenderFailed) return Effect.fail(output)
      outputs.push(options.onOutput ? options.onOutput(output) : output)
      options.onProgress?.(outputs.length)
    }
    return Effect.succeed(outputs)
  })

/**
 * The pool: the main thread (whose renderer is already loaded) takes chunks from the start while
 * the workers load theirs; each worker is sent a chunk once ready and another as it finishes one
 * (one queued, so none waits). Results go back in batch order. Settles once, after every worker is
 * terminated, on the last result or the first failure.
 */
const runPool = (
  platform: Platform,
  jobs: ReadonlyArray<FreshJob>,
  count: number,
  options: PoolOptions,
  signal: AbortSignal,
): Promise<ReadonlyArray<TenantOutput>> =>
  new Promise((resolve, reject) => {
    const outputs = new Array<TenantOutput | undefined>(jobs.length)
    const chunks: Array<ReadonlyArray<RenderJob>> = []
    for (let start = 0; start < jobs.length; start += CHUNK)
      chunks.push(
        jobs
          .slice(start, start + CHUNK)
          .map(({ tenant, inputs }, offset) => ({ index: start + offset, tenant, inputs })),
      )
    let done = 0
    let settled = false
    const workers: Array<Worker> = []
    const settle = (failure?: RenderFailed) => {
      if (settled) return
      settled = true
      signal.removeEventListener("abort", aborted)
      void Promise.allSettled(workers.map((worker) => worker.terminate())).then(() =>
        failure === undefined ? resolve(outputs as ReadonlyArray<TenantOutput>) : reject(failure),
      )
    }
    const aborted = () => settle(new RenderFailed({ cause: new Error("the render was interrupted") }))
    signal.addEventListener("abort", aborted)
    // A throw outside a render (a progress callback) fails the batch too, instead of escaping as an uncaught error.
    const guarded = (run: () => void) => {
      try {
        run()
      } catch (cause) {
        settle(new RenderFailed({ cause }))
      }
    }
    const completed = (index: number, output: TenantOutput) => {
      outputs[index] = options.onOutput ? options.onOutput(output) : output
      done++
      options.onProgress?.(done)
      if (done === jobs.length) settle()
    }
    for (let n = 0; n < count; n++) {
      const worker = new Worker(WORKER, {
        workerData: { platform },
        ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
      })
      workers.push(worker)
      let pending = 0
      const feed = () => {
        while (pending <= CHUNK && chunks.length > 0) {
          const chunk = chunks.shift() ?? []
          pending += chunk.length
          worker.postMessage(chunk)
        }
      }
      worker.on("message", (reply: WorkerReply) => {
        if (settled) return
        guarded(() =>
          Match.valueTags(reply, {
            Ready: feed,
            Rendered: ({ index, output }) => {
              pending--
              completed(index, { ...output, files: new Map(output.files) })
              feed()
            },
            Failed: ({ index, cause }) => settle(new RenderFailed({ tenant: jobs[index]?.tenant.name, cause })),
          }),
        )
      })
      worker.on("error", (cause) => settle(new RenderFailed({ cause })))
      worker.on("messageerror", (cause) => settle(new RenderFailed({ cause })))
      worker.on("exit", (code) =>
        settle(
          new RenderFailed({ cause: new Error(`a render worker exited (code ${code}) before the batch was done`) }),
        ),
      )
    }
    // The main thread's share: a chunk at a time, yielding in between so workers' results and requests get in.
    void (async () => {
      while (options.mainThread !== false && !settled && chunks.length > 0) {
        for (const { index, ...job } of chunks.shift() ?? []) {
          if (settled) return
          const output = renderHere(platform, job)
          if (output instanceof RenderFailed) return settle(output)
          guarded(() => completed(index, output))
        }
        await setImmediate()
      }
    })()
  })

/**
 * Renders tenants afresh across the machine's cores: the main thread and worker threads, each
 * loading the renderer once; a small batch renders on the main thread alone. Same outputs in the
 * same order either way. A render that throws or a worker that dies fails the batch with
 * `RenderFailed`; interrupting it terminates the workers.
 */
export const renderBatch = (
  platform: Platform,
  jobs: ReadonlyArray<FreshJob>,
  options: PoolOptions = {},
): Effect.Effect<ReadonlyArray<TenantOutput>, RenderFailed> => {
  const count = Math.min(
    options.workers ?? Math.min(availableParallelism() - 1, MAX_WORKERS),
    Math.ceil(jobs.length / CHUNK) - 1,
  )
  if (jobs.length < (options.inlineBelow ?? INLINE_BELOW) || count < 1) return inline(platform, jobs, options)
  return Effect.tryPromise({
    try: (signal) => runPool(platform, jobs, count, options, signal),
    catch: (cause) => (cause instanceof RenderFailed ? cause : new RenderFailed({ cause })),
  })
}
