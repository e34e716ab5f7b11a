import type { Platform } from "@ppi/config"
import { Effect } from "effect"
import { TenantFiles } from "../load/tenant-files.ts"
import { buildTree } from "../synth.ts"
import { examplePlatform, exampleTenantsDir } from "./fixtures.ts"

/**
 * The example tenants synthesized with `platform` (the example platform by default): the tree a
 * test file checks, built once at its top. The examples are meant to synthesize: a failure throws.
 */
export const exampleTree = (platform: Platform = examplePlatform) =>
  Effect.runPromise(buildTree(exampleTenantsDir, platform).pipe(Effect.provide(TenantFiles.layer))).then(
    ({ tree }) => tree,
  )
