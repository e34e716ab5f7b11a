import { decodePlatform, decodeWith, type InvalidConfig, PLATFORM_FILE, type Platform } from "@ppi/config"
import { Effect, Schema } from "effect"

const Host = Schema.Struct({
  name: Schema.String.check(Schema.isPattern(/^[a-z0-9-]{1,40}$/)),
  address: Schema.String.check(Schema.isMinLength(1)),
  role: Schema.Literals(["server", "agent"]),
})

/** What a stack configures beyond the shared platform file (`ppi:*` keys of the stack file). */
const ClusterSettings = Schema.Struct({
  acmeEmail: Schema.String.check(
    Schema.isPattern(/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i, { message: "must be an email address" }),
  ),
  externalDnsProvider: Schema.Literals(["cloudflare", "aws", "google", "rfc2136"]),
  /** Install Argo CD from this local manifest instead of the release URL (air-gapped clusters). */
  argoCdManifest: Schema.optionalKey(Schema.String),
  /**
   * Install metrics-server (the resource metrics API HPAs read). Default: yes, unless this stack
   * bootstraps k3s nodes (k3s ships one); set false for any other distribution that ships one.
   */
  metricsServer: Schema.optionalKey(Schema.Boolean),
  /** Optional k3s nodes bootstrapped over SSH (self-hosted mode). */
  k3s: Schema.optionalKey(
    Schema.Struct({
      sshUser: Schema.String,
      version: Schema.String.check(
        Schema.isPattern(/^v\d+\.\d+\.\d+\+k3s\d+$/, { message: "must be a pinned k3s release such as v1.31.4+k3s1" }),
      ),
      hosts: Schema.NonEmptyArray(Host).check(
        Schema.makeFilter((hosts: ReadonlyArray<{ readonly role: string }>) =>
          hosts.some((host) => host.role === "server") ? undefined : "needs at least one server host",
        ),
      ),
    }),
  ),
})
export type ClusterSettings = typeof ClusterSettings.Type

export interface ClusterConfig {
  readonly stack: string
  readonly platform: Platform
  readonly settings: ClusterSettings
}

const decodeSettings = decodeWith(ClusterSettings)

/**
 * The IaC boundary: the platform file and the stack's settings are decoded by the same schemas the
 * synth uses; a missing or invalid value is a typed error naming the key, never a process exit.
 */
export const loadClusterConfig = (input: {
  readonly stack: string
  readonly platform: unknown
  readonly settings: unknown
  readonly mode?: string | undefined
}): Effect.Effect<ClusterConfig, InvalidConfig> =>
  Effect.gen(function* () {
    const base = typeof input.platform === "object" && input.platform !== null ? input.platform : {}
    const platform = yield* decodePlatform(PLATFORM_FILE, input.mode ? { ...base, mode: input.mode } : base)
    const settings = yield* decodeSettings(`Pulumi.${input.stack}.yaml (ppi:*)`, input.settings)
    return { stack: input.stack, platform, settings }
  })
