/**
 * A render worker (`render-pool.ts`): loads the renderer once, says it is ready, then renders every
 * chunk of tenants it is sent, one message per tenant as it is done. The platform comes once, as `workerData`.
 */
import module from "node:module"
import { parentPort, workerData } from "node:worker_threads"
import type { Platform, Tenant } from "@ppi/config"
import type { TenantInputs, TenantOutput } from "./render-fresh.ts"

/** One tenant to render, at its place in the batch. */
export interface RenderJob {
  readonly index: number
  readonly tenant: Tenant
  readonly inputs: TenantInputs
}

/** A tenant's output as it crosses threads: its files as entries, never its objects. */
export type WireOutput = Omit<TenantOutput, "files"> & { readonly files: ReadonlyArray<readonly [string, string]> }

export type WorkerReply =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Rendered"; readonly index: number; readonly output: WireOutput }
  | { readonly _tag: "Failed"; readonly index: number; readonly cause: unknown }

// Workers load the same modules as the CLI: the compile cache spares each one the compile.
module.enableCompileCache?.()
const { renderFresh } = await import("./render-fresh.ts")
const platform = (workerData as { readonly platform: Platform }).platform
const port = parentPort

port?.on("message", (jobs: ReadonlyArray<RenderJob>) => {
  for (const { index, tenant, inputs } of jobs) {
    let reply: WorkerReply
    try {
      const { files, ...rest } = renderFresh(tenant, platform, inputs)
      reply = { _tag: "Rendered", index, output: { ...rest, files: [...files] } }
    } catch (cause) {
      // Anything thrown crosses as an Error (message and stack kept): a thrown non-Error may not be cloneable.
      reply = { _tag: "Failed", index, cause: cause instanceof Error ? cause : new Error(String(cause)) }
    }
    port.postMessage(reply)
  }
})
// Only now is it worth sending work: until then the main thread renders what a booting worker would wait on.
port?.postMessage({ _tag: "Ready" } satisfies WorkerReply)
