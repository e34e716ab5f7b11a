import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { Effect, Schema } from "effect"
import { type Component, type ComponentName, Components, GO_DIR, GO_ENV, pinnedVersion } from "./components.ts"

export class BuildFailed extends Schema.TaggedError<BuildFailed>()("BuildFailed", {
  binary: Schema.String,
  version: Schema.String,
  output: Schema.String,
}) {
  override get message(): string {
    return `go build of ${this.binary} ${this.version} failed:\n${this.output}`
  }
}

/** Outside the repository, keyed by component and version: a new pin builds anew, an old one is reused. */
const CACHE_DIR = process.env.PPI_E2E_CACHE ?? join(homedir(), ".cache/ppi-e2e")

const binDir = (component: Component): string =>
  join(CACHE_DIR, `${component.module}-${pinnedVersion(component)}`, "bin")

export interface Built {
  readonly name: string
  readonly path: string
  readonly version: string
  /** Seconds the cold build took (recorded when it ran), or undefined if built elsewhere. */
  readonly buildSeconds: number | undefined
  /** Whether this call built it (false: taken from the cache). */
  readonly built: boolean
}

const timesFile = (component: Component) => join(binDir(component), "..", "build-seconds.json")

const readTimes = (component: Component): Record<string, number> =>
  existsSync(timesFile(component)) ? JSON.parse(readFileSync(timesFile(component), "utf8")) : {}

/**
 * `go build`, niced so that a shared machine stays usable (PPI_E2E_GOFLAGS, e.g. `-p=1`, limits it
 * further). The toolchain is whatever `go` is on PATH, switched by Go's own GOTOOLCHAIN rules if it
 * is older than the go.mod asks for.
 */
const goBuild = (component: Component, pkg: string, ldflags: ReadonlyArray<string>, out: string, label: string) =>
  Effect.callback<void, BuildFailed>((resume) => {
    const child = spawn(
      "nice",
      ["-n", "19", "go", "build", "-trimpath", `-ldflags=-s -w ${ldflags.join(" ")}`, "-o", out, pkg],
      {
        cwd: join(GO_DIR, component.module),
        env: { ...process.env, ...GO_ENV, GOFLAGS: process.env.PPI_E2E_GOFLAGS ?? "-buildvcs=false", CGO_ENABLED: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    )
    let output = ""
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000)
    }
    child.stdout.on("data", keep)
    child.stderr.on("data", keep)
    child.on("close", (code) =>
      resume(
        code === 0
          ? Effect.void
          : Effect.fail(new BuildFailed({ binary: label, version: pinnedVersion(component), output })),
      ),
    )
    return Effect.sync(() => child.kill("SIGTERM"))
  })

/** Returns the cached binary, building it from the Go module proxy first when it is missing. */
export const ensureBinary = (name: ComponentName, binaryName: string): Effect.Effect<Built, BuildFailed> =>
  Effect.gen(function* () {
    const component: Component = Components[name]
    const binary = component.binaries.find((candidate) => candidate.name === binaryName)
    if (!binary) return yield* Effect.die(new Error(`${name} has no binary ${binaryName}`))
    const version = pinnedVersion(component)
    const path = join(binDir(component), binary.name)
    if (existsSync(path))
      return { name: binary.name, path, version, buildSeconds: readTimes(component)[binary.name], built: false }
    mkdirSync(binDir(component), { recursive: true })
    yield* Effect.logInfo(`building ${binary.name} ${version} from the Go module proxy…`)
    const started = performance.now()
    const partial = `${path}.partial`
    yield* goBuild(component, binary.pkg, binary.ldflags?.(version) ?? [], partial, binary.name)
    const buildSeconds = Math.round((performance.now() - started) / 100) / 10
    renameSync(partial, path)
    writeFileSync(timesFile(component), `${JSON.stringify({ ...readTimes(component), [binary.name]: buildSeconds })}\n`)
    yield* Effect.logInfo(`built ${binary.name} ${version} in ${buildSeconds} s`)
    return { name: binary.name, path, version, buildSeconds, built: true }
  })

/** Every binary of every component, sequentially. */
export const ensureAll: Effect.Effect<ReadonlyArray<Built>, BuildFailed> = Effect.forEach(
  Object.entries(Components).flatMap(([name, component]) =>
    component.binaries.map((binary) => [name as ComponentName, binary.name] as const),
  ),
  ([name, binary]) => ensureBinary(name, binary),
)
