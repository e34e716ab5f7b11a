#!/usr/bin/env node

/** CLI entry: `pnpm report [--out DIR] [--platform FILE] [--html FILE] …`. The only place that exits. */
import { mkdir, writeFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { parseArgs } from "node:util"
import { PLATFORM_FILE } from "@ppi/config"
import { loadPlatform, readTree } from "@ppi/synth"
import { Effect } from "effect"
import { fleetData } from "./fleet-data.ts"
import { renderReport } from "./render-html.ts"

const usage =
  "usage: report [--out DIR] [--platform FILE] [--html FILE] [--deploy-commit SHA] [--source-commit SHA] [--pull-request N]"

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        out: { type: "string", default: "out" },
        platform: { type: "string", default: PLATFORM_FILE },
        html: { type: "string", default: "fleet-report/index.html" },
        "deploy-commit": { type: "string" },
        "source-commit": { type: "string" },
        "pull-request": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    })
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`)
    process.exit(2)
  }
})()
if (values.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

try {
  const platform = await Effect.runPromise(loadPlatform(resolve(values.platform)))
  const data = fleetData(await readTree(resolve(values.out)), platform, {
    ...(values["deploy-commit"] ? { deployCommit: values["deploy-commit"] } : {}),
    ...(values["source-commit"] ? { sourceCommit: values["source-commit"] } : {}),
    ...(values["pull-request"] ? { pullRequest: Number(values["pull-request"]) } : {}),
  })
  await mkdir(dirname(resolve(values.html)), { recursive: true })
  await writeFile(resolve(values.html), renderReport(data))
  process.stdout.write(`report: ${data.tenants.length} tenants → ${values.html}\n`)
} catch (error) {
  process.stderr.write(`report: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}
