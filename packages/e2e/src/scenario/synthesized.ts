import { execFile } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { PLATFORM_FILE } from "@ppi/config"
import { Effect, Schema } from "effect"
import { parseAllDocuments } from "yaml"
import type { KubeObject } from "../control-plane/kube-api.ts"

export const REPO = join(import.meta.dirname, "../../../..")

/** The synth CLI failed: what it printed, and the child process's failure as the cause. */
export class SynthFailed extends Schema.TaggedError<SynthFailed>()("SynthFailed", {
  output: Schema.String,
  cause: Schema.Defect(),
}) {
  override get message(): string {
    return `synth failed:\n${this.output}`
  }
}

/** What CI runs: the synth CLI over a tenants folder, with the repository's platform file. */
export const runSynth = (tenantsDir: string, outDir: string): Effect.Effect<string, SynthFailed> =>
  Effect.callback<string, SynthFailed>((resume) => {
    execFile(
      process.execPath,
      [
        "--disable-warning=ExperimentalWarning",
        join(REPO, "synth/src/main.ts"),
        "--tenants",
        tenantsDir,
        "--out",
        outDir,
        "--platform",
        join(REPO, PLATFORM_FILE),
      ],
      { cwd: REPO, maxBuffer: 1 << 24 },
      (error, stdout, stderr) =>
        resume(
          error
            ? Effect.fail(new SynthFailed({ output: `${String(stdout)}${String(stderr)}`, cause: error }))
            : Effect.succeed(String(stdout).trim()),
        ),
    )
  })

export interface Manifest {
  /** Path relative to the output folder of the file it is in, e.g. `acme/platform/manifest.yaml`. */
  readonly file: string
  readonly object: KubeObject
}

const COMPONENTS = ["platform", "app"] as const

/** The objects of one tenant component, in the order synth wrote them into its `manifest.yaml`. */
export const readComponent = (outDir: string, tenant: string, component: string): ReadonlyArray<Manifest> => {
  const path = join(outDir, tenant, component, "manifest.yaml")
  if (!existsSync(path)) return []
  return parseAllDocuments(readFileSync(path, "utf8")).map((document) => ({
    file: `${tenant}/${component}/manifest.yaml`,
    object: document.toJS() as KubeObject,
  }))
}

/** Tenants in the output (folders not starting with `_`). */
export const tenantsIn = (outDir: string): ReadonlyArray<string> =>
  readdirSync(outDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("_") && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort()

const wave = (manifest: Manifest) => Number(manifest.object.metadata.annotations?.["argocd.argoproj.io/sync-wave"] ?? 0)

/**
 * Every platform and app object of the given tenants in the order Argo CD applies them: each
 * tenant's platform Application (wave -1) before its app Application, by sync wave within each.
 */
export const inSyncOrder = (outDir: string, tenants: ReadonlyArray<string>): ReadonlyArray<Manifest> =>
  COMPONENTS.flatMap((component) =>
    tenants
      .flatMap((tenant) => readComponent(outDir, tenant, component))
      .map((manifest, index) => ({ manifest, index }))
      .sort((a, b) => wave(a.manifest) - wave(b.manifest) || a.index - b.index)
      .map(({ manifest }) => manifest),
  )
