import { Effect, Exit, Schema, type SchemaAST, SchemaIssue } from "effect"
import { type ConfigIssue, InvalidConfig } from "./errors.ts"
import { Platform } from "./platform.ts"
import { EnterpriseTenant, FreeTenant, ProTenant, type Tenant } from "./tenant.ts"
import { type TierName, Tiers } from "./tiers.ts"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** `["hostnames", 1, "x"]` → `hostnames[1].x` */
const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    "",
  )

/** One issue per field: later checks on a value that already failed only repeat the problem. */
const toIssues = (file: string, issue: SchemaIssue.Issue): ReadonlyArray<ConfigIssue> => {
  const byPath = new Map<string, ConfigIssue>()
  for (const entry of formatter(issue).issues) {
    const path = formatPath((entry.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment)))
    if (!byPath.has(path)) byPath.set(path, { file, path, message: entry.message })
  }
  return [...byPath.values()]
}

const strict = { onExcessProperty: "error", errors: "all" } as const

/** Decodes `input` read from `file`; every problem becomes an issue naming the file and the field. */
export const decodeWith =
  <S extends Schema.Decoder<unknown>>(schema: S, options: SchemaAST.ParseOptions = strict) =>
  (file: string, input: unknown): Effect.Effect<S["Type"], InvalidConfig> => {
    const exit = Schema.decodeUnknownExit(schema)(input, options)
    if (Exit.isSuccess(exit)) return Effect.succeed(exit.value)
    const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
    return Effect.fail(
      new InvalidConfig({
        issues: error ? toIssues(file, error.issue) : [{ file, path: "", message: String(exit.cause) }],
      }),
    )
  }

const byTier = {
  free: decodeWith(FreeTenant),
  pro: decodeWith(ProTenant),
  enterprise: decodeWith(EnterpriseTenant),
} satisfies { [T in TierName]: (file: string, input: unknown) => Effect.Effect<Tenant, InvalidConfig> }

const isTier = (value: unknown): value is TierName => (Tiers as ReadonlyArray<unknown>).includes(value)

/**
 * Decodes a tenant file's default export. The tier is checked first so that an unknown
 * tier says so, instead of listing why the value matches none of the union's members.
 */
export const decodeTenant = (file: string, input: unknown): Effect.Effect<Tenant, InvalidConfig> => {
  const fail = (path: string, message: string) => Effect.fail(new InvalidConfig({ issues: [{ file, path, message }] }))
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return fail("", 'the default export must be a tenant object such as { name: "acme", tier: "pro" }')
  const tier = (input as { readonly tier?: unknown }).tier
  if (tier === undefined) return fail("tier", `is required: one of ${Tiers.join(", ")}`)
  if (!isTier(tier)) return fail("tier", `unknown tier ${JSON.stringify(tier)}: expected one of ${Tiers.join(", ")}`)
  return byTier[tier](file, input)
}

export const decodePlatform = decodeWith(Platform)
