#!/usr/bin/env node
/** The synth CLI (entered through main.ts): parses flags, runs, prints. The only place that exits. */
import { resolve } from "node:path"
import { parseArgs } from "node:util"
import { PLATFORM_FILE } from "@ppi/config"
import { Cause, Effect, Exit, Layer } from "effect"
import { TenantFiles } from "./load/tenant-files.ts"
import { OutputTree } from "./output/output-tree.ts"
import { progressReporter } from "./progress.ts"
import { synth } from "./synth.ts"

const usage =
  "usage: synth [--tenants DIR] [--out DIR] [--platform FILE] [--previous DIR] [--rollout FILE] [--workers N]"

const parse = () => {
  try {
    const { values } = parseArgs({
      options: {
        tenants: { type: "string", default: "tenants" },
        out: { type: "string", default: "out" },
        platform: { type: "string", default: PLATFORM_FILE },
        // An earlier output to reuse unchanged tenants from (a checkout of the deploy branch); out/ itself by default.
        previous: { type: "string" },
        // A rollout state (the deploy branch's _platform/rollout.json): each tenant at its wave's API version.
        rollout: { type: "string" },
        // Worker threads beside the main thread (0: main thread only); by default one per further core.
        workers: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    })
    if (values.workers !== undefined && !/^\d{1,2}$/.test(values.workers))
      throw new Error(`--workers takes a number of threads (0–99), not "${values.workers}"`)
    return values
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`)
    process.exit(2)
  }
}

const args = parse()
if (args.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

const progress = progressReporter(process.stderr)
const exit = await Effect.runPromiseExit(
  synth({
    tenantsDir: resolve(args.tenants),
    outDir: resolve(args.out),
    platformFile: resolve(args.platform),
    ...(args.previous === undefined ? {} : { previousDir: resolve(args.previous) }),
    ...(args.rollout === undefined ? {} : { rolloutFile: resolve(args.rollout) }),
    ...(args.workers === undefined ? {} : { workers: Number(args.workers) }),
    onProgress: progress.update,
  }).pipe(Effect.provide(Layer.mergeAll(TenantFiles.layer, OutputTree.layer))),
)
progress.finish()

if (Exit.isSuccess(exit)) {
  const { tenants, reused, objects, files, filesChanged } = exit.value
  process.stdout.write(
    `synth: ${tenants} tenants, ${tenants - reused} rendered, ${objects} objects, ${files} files, ${filesChanged} changed → ${args.out}\n`,
  )
} else {
  const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  const message = failure ? failure.error.message : Cause.pretty(exit.cause)
  const count = message.split("\n").length
  process.stderr.write(
    `${message}\nsynth: failed with ${count} problem${count === 1 ? "" : "s"}; ${args.out} left unchanged\n`,
  )
  process.exit(1)
}
