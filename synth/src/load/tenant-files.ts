import { readdir, readFile } from "node:fs/promises"
import { join, relative } from "node:path"
import { type ConfigIssue, decodeTenant, InvalidConfig, type Tenant } from "@ppi/config"
import { Context, Effect, Exit, Layer } from "effect"
import { evaluateTenantModule } from "./tenant-module.ts"

export interface LoadedTenant {
  /** The file as the user names it (relative to the working directory). */
  readonly file: string
  readonly tenant: Tenant
}

/** Where tenant definitions come from. The live layer reads `*.ts` files of a folder. */
export class TenantFiles extends Context.Service<
  TenantFiles,
  { readonly load: (dir: string) => Effect.Effect<ReadonlyArray<LoadedTenant>, InvalidConfig> }
>()("@ppi/synth/load/TenantFiles") {
  static readonly layer = Layer.succeed(TenantFiles, {
    load: (dir) =>
      Effect.gen(function* () {
        const display = (name: string) => relative(process.cwd(), join(dir, name)) || name
        const names = yield* Effect.tryPromise({
          try: () => readdir(dir),
          catch: (error) =>
            new InvalidConfig({
              issues: [{ file: dir, path: "", message: `cannot read the tenants folder: ${String(error)}` }],
            }),
        })
        const files = names.filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts")).sort()
        const results = yield* Effect.forEach(files, (name) => loadOne(join(dir, name), display(name)), {
          concurrency: 16,
        })
        return yield* collect(results)
      }),
  })

  /** Tenants given as values (tests, benchmarks): decoded exactly like files. */
  static readonly fromValues = (values: Readonly<Record<string, unknown>>) =>
    Layer.succeed(TenantFiles, {
      load: () =>
        collect(
          Object.keys(values)
            .sort()
            .map((file) => decodeOne(file, values[file])),
        ),
    })
}

type LoadResult = LoadedTenant | { readonly issues: ReadonlyArray<ConfigIssue> }

/** Every file's problems at once, or every tenant: a user fixes all their files in one round. */
const collect = (results: ReadonlyArray<LoadResult>): Effect.Effect<ReadonlyArray<LoadedTenant>, InvalidConfig> => {
  const issues = results.flatMap((result) => ("issues" in result ? result.issues : []))
  return issues.length > 0
    ? Effect.fail(new InvalidConfig({ issues }))
    : Effect.succeed(results.filter((result): result is LoadedTenant => "tenant" in result))
}

const issuesOf = (exit: Exit.Exit<unknown, InvalidConfig>): ReadonlyArray<ConfigIssue> =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((reason) => (reason._tag === "Fail" ? reason.error.issues : []))
    : []

const loadOne = (path: string, file: string) =>
  Effect.promise(async (): Promise<LoadResult> => {
    const source = await readFile(path, "utf8")
    const evaluated = await evaluateTenantModule(file, source)
    if ("issues" in evaluated) return evaluated
    return decodeOne(file, evaluated.value)
  })

const decodeOne = (file: string, value: unknown): LoadResult => {
  const exit = Effect.runSyncExit(decodeTenant(file, value))
  return Exit.isSuccess(exit) ? { file, tenant: exit.value } : { issues: issuesOf(exit) }
}
