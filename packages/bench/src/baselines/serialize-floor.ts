/**
 * Baseline (c): the serialization floor — only turning the same objects into the same YAML.
 * The objects are built first (not timed); then only serializing them is timed and printed.
 * Usage: serialize-floor.ts TENANTS_DIR PLATFORM_FILE
 */
import { loadPlatform, renderTenant, TenantFiles, toCanonicalYaml } from "@ppi/synth"
import { Effect } from "effect"

const [tenantsDir = "", platformFile = ""] = process.argv.slice(2)
const objects = await Effect.runPromise(
  Effect.gen(function* () {
    const platform = yield* loadPlatform(platformFile)
    const tenants = yield* (yield* TenantFiles).load(tenantsDir)
    return tenants.flatMap(({ tenant }) => renderTenant(tenant, platform).objects)
  }).pipe(Effect.provide(TenantFiles.layer)),
)
const started = process.hrtime.bigint()
let bytes = 0
for (const object of objects) bytes += toCanonicalYaml(object).length
process.stdout.write(`${Number(process.hrtime.bigint() - started) / 1e9} ${bytes}\n`)
