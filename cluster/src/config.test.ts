import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadClusterConfig } from "./config.ts"
import { readPlatformInput } from "./platform-file.ts"

const platform = Effect.runSync(readPlatformInput())

const load = (settings: unknown, mode?: string) =>
  Effect.runSync(Effect.result(loadClusterConfig({ stack: "prod", platform, settings, mode })))

describe("cluster config at the IaC boundary", () => {
  it("decodes the platform file and the stack settings", () => {
    const result = load({ acmeEmail: "ops@x.io", externalDnsProvider: "aws" }, "cloud")
    expect(
      result._tag === "Success" && [result.success.platform.mode, result.success.settings.externalDnsProvider],
    ).toEqual(["cloud", "aws"])
  })

  it("names every missing or invalid key, as a typed error", () => {
    const result = load({ acmeEmail: "not-an-email" }, "hybrid")
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure") {
      expect(result.failure._tag).toBe("InvalidConfig")
      expect(result.failure.message).toContain("synth/platform.ts: mode")
    }
    const k3s = load({
      acmeEmail: "a@b.io",
      externalDnsProvider: "aws",
      k3s: { sshUser: "ops", version: "latest", hosts: [{ name: "n1", address: "10.0.0.1", role: "agent" }] },
    })
    expect(k3s._tag === "Failure" && k3s.failure.issues.map((i) => i.path).sort()).toEqual(["k3s.hosts", "k3s.version"])
    const settings = load({ acmeEmail: "not-an-email" })
    expect(settings._tag === "Failure" && settings.failure.issues.map((i) => i.path).sort()).toEqual([
      "acmeEmail",
      "externalDnsProvider",
    ])
  })
})
