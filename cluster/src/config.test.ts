import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadClusterConfig } from "./config.ts"
import { readPlatformInput } from "./platform-file.ts"

const load = (settings: unknown, mode?: string) =>
  Effect.flatMap(readPlatformInput(), (platform) => loadClusterConfig({ stack: "prod", platform, settings, mode }))

describe("cluster config at the IaC boundary", () => {
  it.effect("decodes the platform file and the stack settings", () =>
    Effect.gen(function* () {
      const config = yield* load({ acmeEmail: "ops@x.io", externalDnsProvider: "aws" }, "cloud")
      expect([config.platform.mode, config.settings.externalDnsProvider]).toEqual(["cloud", "aws"])
    }),
  )

  it.effect("names every missing or invalid key, as a typed error", () =>
    Effect.gen(function* () {
      const mode = yield* Effect.flip(load({ acmeEmail: "not-an-email" }, "hybrid"))
      expect(mode._tag).toBe("InvalidConfig")
      expect(mode.message).toContain("synth/platform.ts: mode")
      const k3s = yield* Effect.flip(
        load({
          acmeEmail: "a@b.io",
          externalDnsProvider: "aws",
          k3s: { sshUser: "ops", version: "latest", hosts: [{ name: "n1", address: "10.0.0.1", role: "agent" }] },
        }),
      )
      expect(k3s.issues.map((i) => i.path).sort()).toEqual(["k3s.hosts", "k3s.version"])
      const settings = yield* Effect.flip(load({ acmeEmail: "not-an-email" }))
      expect(settings.issues.map((i) => i.path).sort()).toEqual(["acmeEmail", "externalDnsProvider"])
    }),
  )
})
