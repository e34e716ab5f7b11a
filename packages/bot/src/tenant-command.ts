import { access, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { customHostnameRefusal, InvalidConfig, type Platform, type TenantInput } from "@ppi/config"
import { parseDataFile } from "@ppi/data-file"
import { parseTenantSource } from "@ppi/synth"
import { Effect } from "effect"
import { renderTenantFile } from "./tenant-file.ts"
import { TenantExists, TenantNotFound } from "./tenant-lifecycle.ts"

/** The tenant input the `tenant new` flags describe; the decode (not this) judges it. */
export const tenantInputOf = (flags: {
  readonly name: string
  readonly tier: string
  readonly hostnames: ReadonlyArray<string>
  readonly owner: string | undefined
}): TenantInput =>
  ({
    name: flags.name,
    tier: flags.tier,
    ...(flags.hostnames.length > 0 ? { hostnames: [...flags.hostnames] } : {}),
    ...(flags.owner ? { owner: { email: flags.owner } } : {}),
  }) as TenantInput

const exists = (path: string) =>
  Effect.promise(() =>
    access(path).then(
      () => true,
      () => false,
    ),
  )

/** Renders the file and proves it reads back, as data, into a valid tenant of that name; then writes it. */
const writeChecked = (dir: string, input: TenantInput) =>
  Effect.gen(function* () {
    const file = join(dir, `${input.name}.ts`)
    const text = renderTenantFile(input)
    const tenant = yield* parseTenantSource(file, text)
    if (tenant.name !== input.name)
      return yield* new InvalidConfig({ issues: [{ file, path: "name", message: "does not match the file name" }] })
    yield* Effect.promise(() => writeFile(file, text))
    return file
  })

/**
 * `tenant new` without --pr: the same writer as the lifecycle service, into the local folder;
 * given the platform, custom hostnames must be under a domain verified for the tenant (as synth checks).
 */
export const provisionLocally = (dir: string, input: TenantInput, platform?: Platform) =>
  Effect.gen(function* () {
    const file = join(dir, `${input.name}.ts`)
    if (yield* exists(file)) return yield* new TenantExists({ tenant: input.name })
    const refusals = (platform === undefined ? [] : (input.hostnames ?? [])).flatMap((host, index) => {
      const refusal = customHostnameRefusal(platform as Platform, input.name, host)
      return refusal === undefined ? [] : [{ file, path: `hostnames.${index}`, message: refusal }]
    })
    if (refusals.length > 0) return yield* new InvalidConfig({ issues: refusals })
    return yield* writeChecked(dir, input)
  })

/** `tenant decommission` without --pr: the file, read as data, with its state set. */
export const decommissionLocally = (dir: string, name: string) =>
  Effect.gen(function* () {
    const file = join(dir, `${name}.ts`)
    if (!(yield* exists(file))) return yield* new TenantNotFound({ tenant: name })
    const text = yield* Effect.promise(() => readFile(file, "utf8"))
    const parsed = parseDataFile(file, text)
    if (parsed._tag === "Refused")
      return yield* new InvalidConfig({
        issues: parsed.problems.map(({ line, column, path, message }) => ({
          file,
          path,
          message,
          location: { line, column },
        })),
      })
    return yield* writeChecked(dir, { ...(parsed.value as TenantInput), state: "decommissioned" })
  })
