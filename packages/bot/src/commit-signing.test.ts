import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { PLATFORM_FILE } from "@ppi/config"
import { TenantFiles } from "@ppi/synth"
import { Effect } from "effect"
import { type PublishOptions, publish } from "./publish.ts"
import { makeRemote, tenantFile } from "./testing/git-fixture.ts"
import { generateSigningKey, withSigningKeys } from "./testing/signing-key.ts"

const bot = generateSigningKey("ppi-bot")
const stranger = generateSigningKey("stranger")

/** A keyring holding only the bot's public key: what Argo CD's repo-server holds. */
const verifier = mkdtempSync(join(tmpdir(), "ppi-verify-"))
execFileSync("gpg", ["--batch", "--quiet", "--import"], {
  env: { ...process.env, GNUPGHOME: verifier },
  input: bot.publicKey,
})
afterAll(() => {
  execFileSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: verifier } })
  rmSync(verifier, { recursive: true, force: true })
})

let fixture: ReturnType<typeof makeRemote>
beforeEach(() => {
  fixture = makeRemote()
  const platform = readFileSync(join(fixture.dev, PLATFORM_FILE), "utf8")
  fixture.commit("Require signed deploy commits", { [PLATFORM_FILE]: withSigningKeys(platform, [bot]) })
})
afterEach(() => fixture.cleanup())

const publishWith = (extra: Partial<PublishOptions>) =>
  publish({
    remote: fixture.remote,
    sourceBranch: "main",
    deployBranch: "deploy",
    synthVersion: "test",
    ...extra,
  }).pipe(Effect.provide(TenantFiles.layer), Effect.result)

/** `git verify-commit --raw`'s status lines for the deploy head, against the verifier's keyring. */
const verify = () =>
  spawnSync("git", ["verify-commit", "--raw", "deploy"], {
    cwd: fixture.remote,
    env: { ...process.env, GNUPGHOME: verifier },
    encoding: "utf8",
  }).stderr

describe("signed deploy commits", () => {
  it.effect("signs every deploy commit with the bot's key when the platform requires it", () =>
    Effect.gen(function* () {
      const result = yield* publishWith({ signingKey: bot.privateKey })
      expect(result._tag === "Success" && result.success._tag).toBe("Published")
      expect(verify()).toMatch(new RegExp(`\\[GNUPG:\\] VALIDSIG [0-9A-F]*${bot.keyID} `))
    }),
  )

  it.effect("renders only the changed tenant on top of a deploy head it signed, all of them on one it did not", () =>
    Effect.gen(function* () {
      const first = yield* publishWith({ signingKey: bot.privateKey })
      expect(first._tag === "Success" && first.success._tag === "Published" && first.success.rendered).toBe(4)
      fixture.commit("Scale acme", { "tenants/acme.ts": tenantFile("acme", "pro", ", replicas: 4") })
      const second = yield* publishWith({ signingKey: bot.privateKey })
      expect(second._tag === "Success" && second.success).toMatchObject({ tenantsChanged: ["acme"], rendered: 1 })
      // A head pushed by someone else (unsigned) is no previous output: everything is rendered again.
      const head = fixture.git("rev-parse", "deploy")
      const unsigned = fixture.git("commit-tree", `${head}^{tree}`, "-p", head, "-m", "not the bot")
      fixture.git("update-ref", "refs/heads/deploy", unsigned)
      fixture.commit("Scale acme again", { "tenants/acme.ts": tenantFile("acme", "pro", ", replicas: 5") })
      const third = yield* publishWith({ signingKey: bot.privateKey })
      expect(third._tag === "Success" && third.success).toMatchObject({ tenantsChanged: ["acme"], rendered: 4 })
    }),
  )

  it.effect("refuses to publish unsigned when the platform requires signatures", () =>
    Effect.gen(function* () {
      const result = yield* publishWith({})
      expect(result._tag === "Failure" && result.failure.message).toBe(
        `not publishing: the platform requires deploy commits signed by ${bot.keyID}: give the bot its key in PPI_SIGNING_KEY`,
      )
      expect(() => fixture.git("rev-parse", "--verify", "deploy")).toThrow()
    }),
  )

  it.effect("refuses what is not a key without quoting any of it (gpg would echo its lines)", () =>
    Effect.gen(function* () {
      const garbled =
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nSecret-Line: s3cr3t-material\n\nlQOYBG\n-----END PGP PRIVATE KEY BLOCK-----\n"
      const result = yield* publishWith({ signingKey: garbled })
      expect(result._tag === "Failure" && result.failure.message).toBe(
        "not publishing: PPI_SIGNING_KEY is not an armored GPG private key",
      )
      expect(() => fixture.git("rev-parse", "--verify", "deploy")).toThrow()
    }),
  )

  it.effect("refuses a key the platform does not list", () =>
    Effect.gen(function* () {
      const result = yield* publishWith({ signingKey: stranger.privateKey })
      expect(result._tag === "Failure" && result.failure.message).toContain(
        `PPI_SIGNING_KEY is not one of the platform's signing keys (${bot.keyID})`,
      )
      expect(() => fixture.git("rev-parse", "--verify", "deploy")).toThrow()
    }),
  )

  it.effect("writes the keys into every AppProject it publishes", () =>
    Effect.gen(function* () {
      yield* publishWith({ signingKey: bot.privateKey })
      const projects = fixture
        .git("ls-tree", "-r", "--name-only", "deploy")
        .split("\n")
        .filter((file) => /\/argocd\/manifest\.yaml$/.test(file))
      expect(projects.length).toBeGreaterThan(4)
      // A key ID that starts with a digit is quoted by the emitter.
      for (const file of projects) {
        const appProject = fixture
          .git("show", `deploy:${file}`)
          .split(/^---$/m)
          .find((document) => /^kind: AppProject$/m.test(document))
        expect(appProject, file).toMatch(new RegExp(`keyID: "?${bot.keyID}"?\n`))
      }
    }),
  )
})
