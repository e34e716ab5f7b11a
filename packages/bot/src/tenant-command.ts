import { access, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { customHostnameRefusal, InvalidConfig, type Platform, type TenantInput } from "@ppi/config"
import { parseTenantSource } from "@ppi/synth"
import { Effect } from "effect"
import { tryFile } from "./file-system.ts"
import { readTenantFile, renderTenantFile } from "./tenant-file.ts"
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

/** Whether `path` exists; a failure other than "no such file" is reported, not taken for absence. */
const exists = (path: string) =>
  tryFile("look up", path, () =>
    access(path).then(
      () => true,
      (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? false : Promise.reject(error)),
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
    yield* tryFile("write", file, () => writeFile(file, text))
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
    const current = yield* readTenantFile(file, yield* tryFile("read", file, () => readFile(file, "utf8")))
    return yield* writeChecked(dir, { ...current, state: "decommissioned" })
  })
