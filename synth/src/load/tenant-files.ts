import { readdir } from "node:fs/promises"
import { basename, join, relative } from "node:path"
import { type ConfigIssue, decodeTenant, InvalidConfig, type Tenant } from "@ppi/config"
import { parseDataSource, readDataSource } from "@ppi/data-file/source"
import { Context, Effect, Layer, Result } from "effect"

export interface LoadedTenant {
  /** The file as the user names it (relative to the working directory). */
  readonly file: string
  readonly tenant: Tenant
  /** The text it was decoded from (for values: their JSON): an input of the tenant's render. */
  readonly source: string
}

/** Where tenant definitions come from. The live layer reads the `<name>.ts` files of a folder. */
export class TenantFiles extends Context.Service<
  TenantFiles,
  { readonly load: (dir: string) => Effect.Effect<ReadonlyArray<LoadedTenant>, InvalidConfig> }
>()("@ppi/synth/load/TenantFiles") {
  static readonly layer = Layer.succeed(TenantFiles, {
    load: (dir) =>
      Effect.gen(function* () {
        const display = (name: string) => relative(process.cwd(), join(dir, name)) || name
        const entries = yield* Effect.tryPromise({
          try: () => readdir(dir, { withFileTypes: true }),
          catch: (error) =>
            new InvalidConfig({
              issues: [{ file: dir, path: "", message: `cannot read the tenants folder: ${String(error)}` }],
            }),
        })
        const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        return yield* collect(
          yield* Effect.forEach(
            sorted,
            (entry) =>
              Effect.result(
                TENANT_FILE.test(entry.name)
                  ? loadOne(join(dir, entry.name), display(entry.name))
                  : Effect.fail(notATenantFile(display(entry.name), entry.isDirectory())),
              ),
            { concurrency: 16 },
          ),
        )
      }),
  })

  /** Tenants given as values (tests, benchmarks): decoded exactly like files. */
  static readonly fromValues = (values: Readonly<Record<string, unknown>>) =>
    Layer.succeed(TenantFiles, {
      load: () =>
        Effect.forEach(Object.keys(values).sort(), (file) => Effect.result(decodeOne(file, values[file]))).pipe(
          Effect.flatMap(collect),
        ),
    })
}

/** `acme.ts`: the file name is the tenant's name, so it is a DNS label too. */
const TENANT_FILE = /^[a-z][a-z0-9-]*\.ts$/

const notATenantFile = (file: string, directory: boolean) =>
  new InvalidConfig({
    issues: [
      {
        file,
        path: "",
        message: directory
          ? "is a folder: the tenants folder holds only tenant files (<name>.ts)"
          : "is not a tenant file: the tenants folder holds only <name>.ts files (a lowercase DNS label, then .ts)",
      },
    ],
  })

/** Every file's problems at once, or every tenant: a user fixes all their files in one round. */
const collect = (
  results: ReadonlyArray<Result.Result<LoadedTenant, InvalidConfig>>,
): Effect.Effect<ReadonlyArray<LoadedTenant>, InvalidConfig> => {
  const issues: ReadonlyArray<ConfigIssue> = results.flatMap((result) =>
    Result.isFailure(result) ? result.failure.issues : [],
  )
  return issues.length > 0
    ? Effect.fail(new InvalidConfig({ issues }))
    : Effect.succeed(results.flatMap((result) => (Result.isSuccess(result) ? [result.success] : [])))
}

const loadOne = (path: string, file: string): Effect.Effect<LoadedTenant, InvalidConfig> =>
  readDataSource(path, file).pipe(
    Effect.flatMap((source) =>
      parseTenantSource(file, source).pipe(Effect.map((tenant) => ({ file, tenant, source }))),
    ),
    Effect.flatMap((loaded) => {
      const expected = basename(path, ".ts")
      return loaded.tenant.name === expected
        ? Effect.succeed(loaded)
        : Effect.fail(
            new InvalidConfig({
              issues: [
                {
                  file,
                  path: "name",
                  message: `is "${loaded.tenant.name}" but the file is ${expected}.ts: the file name is the tenant (rename the file or the tenant)`,
                },
              ],
            }),
          )
    }),
  )

const decodeOne = (file: string, value: unknown): Effect.Effect<LoadedTenant, InvalidConfig> =>
  decodeTenant(file, value).pipe(Effect.map((tenant) => ({ file, tenant, source: JSON.stringify(value) ?? "" })))

/** A tenant file's text (from git, a PR, an editor) → the decoded tenant; parsed, never run. */
export const parseTenantSource = (file: string, text: string): Effect.Effect<Tenant, InvalidConfig> =>
  parseDataSource(file, text, "tenant file").pipe(Effect.flatMap((value) => decodeTenant(file, value)))
