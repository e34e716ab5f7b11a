import { execFile } from "node:child_process"
import { tmpdir } from "node:os"
import { Effect, Schema } from "effect"
import { GO_ENV } from "./components.ts"

export class ModuleUnavailable extends Schema.TaggedError<ModuleUnavailable>()("ModuleUnavailable", {
  module: Schema.String,
  /** What `go mod download` said. */
  detail: Schema.String,
  /** The failure of running `go` itself, when it did not run to the end. */
  cause: Schema.optional(Schema.Defect()),
}) {
  override get message(): string {
    return `cannot download ${this.module} from the Go module proxy: ${this.detail}`
  }
}

/**
 * The extracted source of one pinned module version in the Go module cache (downloaded through
 * the Go module proxy on first use, checksum-verified). Upstream files the harness reads at test
 * time — CRDs, kwok's stages — come from here, never from copies in this repository.
 */
export const moduleDir = (module: string, version: string): Effect.Effect<string, ModuleUnavailable> =>
  Effect.callback<string, ModuleUnavailable>((resume) => {
    execFile(
      "go",
      ["mod", "download", "-json", `${module}@${version}`],
      { cwd: tmpdir(), env: { ...process.env, ...GO_ENV, GOFLAGS: "-mod=mod" }, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        const info = (() => {
          try {
            return JSON.parse(String(stdout)) as { Dir?: string; Error?: string }
          } catch {
            return {}
          }
        })()
        if (info.Dir && !info.Error) resume(Effect.succeed(info.Dir))
        else
          resume(
            Effect.fail(
              new ModuleUnavailable({
                module: `${module}@${version}`,
                detail: info.Error ?? (String(stderr) || String(error)),
                ...(error ? { cause: error } : {}),
              }),
            ),
          )
      },
    )
  })
