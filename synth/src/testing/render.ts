import { decodeTenant, type Platform, type TenantInput } from "@ppi/config"
import { Effect } from "effect"
import { renderTenant } from "../factory/render-tenant.ts"
import { examplePlatform } from "./fixtures.ts"

/**
 * A tenant input decoded as synth decodes it. Inputs are the test's own and meant to be valid: a
 * decode failure throws, failing the test.
 */
export const decoded = (input: unknown, file = "tenants/t.ts") => Effect.runSync(decodeTenant(file, input))

/** A tenant input decoded and rendered as synth does, with the example platform unless another is given. */
export const render = (input: TenantInput, platform: Platform = examplePlatform) =>
  renderTenant(decoded(input), platform)

/** The object of that kind (and name, when given); throws when there is none, naming what is missing. */
export const find = (
  objects: ReadonlyArray<{ readonly kind: string; readonly metadata: { readonly name?: string } }>,
  kind: string,
  name?: string,
): any => {
  const object = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))
  if (object === undefined) throw new Error(`no ${kind}${name === undefined ? "" : `/${name}`}`)
  return object
}
