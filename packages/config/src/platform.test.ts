import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { PLATFORM_FILE } from "./contract.ts"
import { decodePlatform } from "./decode.ts"
import { platformProject } from "./gitops.ts"
import { endpoints, imageRef, type PlatformInput } from "./platform.ts"
import { minimalPlatformInput } from "./testing/minimal-platform.ts"

const valid: PlatformInput = minimalPlatformInput

const decode = (input: unknown) => decodePlatform(PLATFORM_FILE, input)

describe("Platform", () => {
  it.effect("applies defaults and picks the endpoints of its mode", () =>
    Effect.gen(function* () {
      const platform = yield* decode({ ...valid, mode: "cloud" })
      expect(platform).toMatchObject({ ingressClass: "traefik", clusterIssuer: "letsencrypt-production" })
      expect(platform.deploy.branch).toBe("deploy")
      expect(endpoints(platform).redis.port).toBe(6380)
    }),
  )

  it.effect("names the file and every bad field", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        decode({
          ...valid,
          mode: "hybrid",
          images: { ...valid.images, api: { repository: "ghcr.io/acme/api", tag: "latest" } },
        }),
      )
      expect(error.issues.map((issue) => `${issue.file}: ${issue.path}`).sort()).toEqual([
        "synth/platform.ts: images.api.tag",
        "synth/platform.ts: mode",
      ])
    }),
  )

  it("renders an image reference pinned by tag and digest", () => {
    expect(imageRef({ repository: "r/x", tag: "1.2.3", digest: `sha256:${"a".repeat(64)}` })).toBe(
      `r/x:1.2.3@sha256:${"a".repeat(64)}`,
    )
  })

  it.effect("requires the bot's signature on every project it builds when signing keys are listed", () =>
    Effect.gen(function* () {
      const publicKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n"
      const signed = yield* decode({
        ...valid,
        deploy: { ...valid.deploy, signingKeys: [{ keyID: "0123456789ABCDEF", publicKey }] },
      })
      expect(platformProject(signed).spec.signatureKeys).toEqual([{ keyID: "0123456789ABCDEF" }])
      const unsigned = yield* decode(valid)
      expect(platformProject(unsigned).spec).not.toHaveProperty("signatureKeys")
    }),
  )

  it.effect("refuses a signing key that is not a key ID and an armored public key", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        decode({
          ...valid,
          deploy: { ...valid.deploy, signingKeys: [{ keyID: "abc", publicKey: "ssh-ed25519 AAAA" }] },
        }),
      )
      expect(error.issues.map((issue) => issue.path)).toEqual([
        "deploy.signingKeys[0].keyID",
        "deploy.signingKeys[0].publicKey",
      ])
    }),
  )
})
