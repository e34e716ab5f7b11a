import { execFileSync } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { TenantFiles } from "@ppi/synth"
import { Effect } from "effect"
import { redactCredentials, remoteAuthEnv } from "./git.ts"
import { type PublishOptions, publish } from "./publish.ts"
import { makeRemote } from "./testing/git-fixture.ts"

let fixture: ReturnType<typeof makeRemote>
beforeEach(() => {
  fixture = makeRemote()
})
afterEach(() => fixture.cleanup())

const TOKEN = "ghs_0123456789abcdefghijABCDEFGHIJ012345"

const publishWith = (extra: Partial<PublishOptions>) =>
  publish({
    remote: fixture.remote,
    sourceBranch: "main",
    deployBranch: "deploy",
    synthVersion: "test",
    ...extra,
  }).pipe(Effect.provide(TenantFiles.layer), Effect.result)

describe("publish holds a write token and never runs tenant code", () => {
  it.effect("refuses a merged tenant file that would run code, and pushes nothing", () =>
    Effect.gen(function* () {
      const sentinel = join(fixture.root, "ran")
      const evil = `import { writeFileSync } from "node:fs"\nwriteFileSync(${JSON.stringify(sentinel)}, process.env.GITHUB_TOKEN ?? "")\nexport default { name: "evil", tier: "free" }\n`
      fixture.commit("Add evil", { "tenants/evil.ts": evil })
      const result = yield* publishWith({ token: TOKEN })
      expect(result._tag === "Failure" && result.failure.message).toContain(
        "evil.ts:1:1: (root): an import of values (only `import type` is allowed) is not allowed in a tenant file",
      )
      expect(existsSync(sentinel)).toBe(false)
      expect(() => fixture.git("rev-parse", "--verify", "deploy")).toThrow()
    }),
  )

  it.effect("refuses a remote that carries the token in its URL", () =>
    Effect.gen(function* () {
      const result = yield* publishWith({ remote: `https://x-access-token:${TOKEN}@github.com/acme/infra.git` })
      expect(result._tag === "Failure" && result.failure.message).toContain("pass the token in GITHUB_TOKEN instead")
      expect(result._tag === "Failure" && result.failure.message).not.toContain(TOKEN)
    }),
  )

  it.effect("sends the token to the remote as a header, and keeps it out of every message", () =>
    Effect.gen(function* () {
      // A stand-in https-like git server: it records what git sends, then refuses.
      const seen: Array<string> = []
      const server = createServer((req, res) => {
        seen.push(`${req.url} ${req.headers.authorization ?? ""}`)
        res.writeHead(403).end("denied")
      })
      yield* Effect.promise(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)))
      const { port } = server.address() as AddressInfo
      const result = yield* publishWith({ remote: `http://127.0.0.1:${port}/acme/infra.git`, token: TOKEN })
      server.close()
      const basic = Buffer.from(`x-access-token:${TOKEN}`).toString("base64")
      expect(seen.some((line) => line.endsWith(`basic ${basic}`))).toBe(true)
      expect(result._tag).toBe("Failure")
      const message = result._tag === "Failure" ? result.failure.message : ""
      expect(message).not.toContain(TOKEN)
      expect(message).not.toContain(basic)
    }),
  )
})

describe("publish checks the exact tree it commits", () => {
  it.effect("refuses to carry a tampered, held-back folder forward", () =>
    Effect.gen(function* () {
      const first = yield* publishWith({})
      expect(first._tag === "Success" && first.success._tag).toBe("Published")
      // Someone with push rights slips a cluster-admin binding into hobby's deployed folder …
      const intruder = join(fixture.root, "intruder")
      execFileSync("git", ["clone", "--quiet", "--branch", "deploy", fixture.remote, intruder])
      writeFileSync(
        join(intruder, "hobby/platform/clusterrolebinding-escalate.yaml"),
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: escalate\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: hobby\n",
      )
      const git = (...args: ReadonlyArray<string>) =>
        execFileSync("git", args, {
          cwd: intruder,
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: "x",
            GIT_AUTHOR_EMAIL: "x@x",
            GIT_COMMITTER_NAME: "x",
            GIT_COMMITTER_EMAIL: "x@x",
          },
        })
      git("add", "--all")
      git("commit", "--quiet", "-m", "escalate")
      git("push", "--quiet", "origin", "HEAD:deploy")
      const tampered = fixture.git("rev-parse", "deploy")
      // … and main then loses hobby's file without decommissioning it: publish would hold its folder back.
      fixture.commit("Lose hobby", { "tenants/hobby.ts": null })
      const result = yield* publishWith({})
      expect(result._tag === "Failure" && result.failure.message).toMatch(
        /not publishing: the tree breaks the policy\n[\s\S]*hobby\/platform\/clusterrolebinding-escalate\.yaml/,
      )
      expect(fixture.git("rev-parse", "deploy")).toBe(tampered)
    }),
  )
})

describe("redactCredentials", () => {
  it("hides user info in URLs, authorization headers and GitHub tokens", () => {
    const text = [
      `fatal: unable to access 'https://x-access-token:${TOKEN}@github.com/acme/infra.git/'`,
      `remote: https://${TOKEN}@github.com`,
      "http.extraheader=AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hz",
      `token ${TOKEN} leaked`,
    ].join("\n")
    expect(redactCredentials(text)).toBe(
      [
        "fatal: unable to access 'https://***@github.com/acme/infra.git/'",
        "remote: https://***@github.com",
        "http.extraheader=AUTHORIZATION: basic ***",
        "token *** leaked",
      ].join("\n"),
    )
  })

  it("hides the exact secrets it is given, whatever their shape, and the basic-auth form git sends", () => {
    const opaque = "s3cr3t-Opaque-Value-0123456789"
    const basic = Buffer.from(`x-access-token:${opaque}`).toString("base64")
    expect(redactCredentials(`denied ${opaque}; header ${basic}`, [opaque, undefined])).toBe("denied ***; header ***")
    expect(redactCredentials(`denied ${opaque}`)).toBe(`denied ${opaque}`)
    // A placeholder as short as a test's "t" is no secret: hiding it would garble every message.
    expect(redactCredentials("the tenant", ["t"])).toBe("the tenant")
  })

  it("never gives a token to a plain-http remote other than this machine", () => {
    expect(remoteAuthEnv("http://git.example.com/a.git", TOKEN)).toEqual({})
    expect(remoteAuthEnv("/srv/git/a.git", TOKEN)).toEqual({})
    expect(remoteAuthEnv("https://github.com/a/b.git", TOKEN)).toMatchObject({
      GIT_CONFIG_KEY_0: "http.https://github.com/.extraheader",
    })
  })
})
