/**
 * Baseline (a): the common approach — one cdk8s App holding every tenant's charts, then
 * `app.synthYaml()`. Same constructs, same objects as the real synth; run as its own process.
 * Usage: single-app.ts TENANTS_DIR PLATFORM_FILE
 */

import { apiImageFor } from "@ppi/config"
import {
  loadPlatform,
  makeTenantContext,
  planTenant,
  TenantAppChart,
  TenantArgoChart,
  TenantFiles,
  TenantPlatformChart,
} from "@ppi/synth"
import { App } from "cdk8s"
import { Effect } from "effect"

const [tenantsDir = "", platformFile = ""] = process.argv.slice(2)
const { platform, tenants } = await Effect.runPromise(
  Effect.gen(function* () {
    return { platform: yield* loadPlatform(platformFile), tenants: yield* (yield* TenantFiles).load(tenantsDir) }
  }).pipe(Effect.provide(TenantFiles.layer)),
)
const app = new App({ outdir: "/nonexistent" })
for (const { tenant } of tenants) {
  const plan = planTenant(tenant)
  if (plan === undefined) continue
  const context = makeTenantContext(tenant, platform, plan, apiImageFor(tenant, platform))
  new TenantPlatformChart(app, `${tenant.name}-platform`, context)
  new TenantAppChart(app, `${tenant.name}-app`, context)
  new TenantArgoChart(app, `${tenant.name}-argocd`, context)
}
const yaml = app.synthYaml()
process.stdout.write(`${yaml.length}\n`)
