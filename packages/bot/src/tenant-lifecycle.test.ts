import { existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { parseDataFile } from "@ppi/data-file"
import { Effect, Layer } from "effect"
import { AuditLog } from "./audit-log.ts"
import { GitHub } from "./github.ts"
import { renderTenantFile } from "./tenant-file.ts"
import { TenantLifecycle } from "./tenant-lifecycle.ts"
import { startFakeGitHub } from "./testing/fake-github.ts"

let github: Awaited<ReturnType<typeof startFakeGitHub>>
beforeEach(async () => {
  github = await startFakeGitHub({
    files: { "tenants/acme.ts": renderTenantFile({ name: "acme", tier: "pro", replicas: 3 }) },
  })
})
afterEach(() => github.close())

const run = <A, E>(program: Effect.Effect<A, E, TenantLifecycle | AuditLog>) => {
  const services = TenantLifecycle.layer("main").pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        GitHub.layer({ token: "t", owner: "acme-org", repo: "infra", baseUrl: github.baseUrl }),
        AuditLog.memory,
      ),
    ),
  )
  return Effect.runPromise(Effect.result(program).pipe(Effect.provide(services)))
}
const writes = () => github.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)

describe("TenantLifecycleService", () => {
  it("provisions a tenant by opening one PR with its file, and audits it", async () => {
    const result = await run(
      Effect.gen(function* () {
        const lifecycle = yield* TenantLifecycle
        const first = yield* lifecycle.provision({ name: "zeta", tier: "free" }, "alice")
        const second = yield* lifecycle.provision({ name: "zeta", tier: "free" }, "alice")
        return { first, second, audit: (yield* (yield* AuditLog).entries).map((line) => JSON.parse(line)) }
      }),
    )
    expect(result._tag).toBe("Success")
    if (result._tag !== "Success") return
    expect(result.success.first).toEqual({ number: 1, url: "https://github.test/pull/1", created: true })
    expect(result.success.second).toEqual({ ...result.success.first, created: false })
    expect(writes()).toEqual([
      "POST /repos/acme-org/infra/git/refs",
      "PUT /repos/acme-org/infra/contents/tenants/zeta.ts",
      "POST /repos/acme-org/infra/pulls",
    ])
    const file = github.branches.get("tenant/provision-zeta")?.get("tenants/zeta.ts") ?? ""
    expect(file).toContain("satisfies TenantInput")
    expect(parseDataFile("zeta.ts", file)).toEqual({ _tag: "Data", value: { name: "zeta", tier: "free" } })
    expect(
      result.success.audit.map((e: { action: string; outcome: string; actor: string; tenant: string }) => [
        e.action,
        e.outcome,
        e.actor,
        e.tenant,
      ]),
    ).toEqual([
      ["provision", "opened", "alice", "zeta"],
      ["provision", "existing", "alice", "zeta"],
    ])
    expect(result.success.audit[0].time).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it("refuses an invalid tenant or one that already exists, and audits the failure", async () => {
    const result = await run(
      Effect.gen(function* () {
        const lifecycle = yield* TenantLifecycle
        const invalid = yield* Effect.result(lifecycle.provision({ name: "Bad Name", tier: "free" }, "bob"))
        const exists = yield* Effect.result(lifecycle.provision({ name: "acme", tier: "free" }, "bob"))
        return { invalid, exists, audit: yield* (yield* AuditLog).entries }
      }),
    )
    if (result._tag !== "Success") throw new Error("unexpected")
    expect(result.success.invalid._tag === "Failure" && result.success.invalid.failure._tag).toBe("InvalidConfig")
    expect(result.success.exists._tag === "Failure" && result.success.exists.failure._tag).toBe("TenantExists")
    expect(result.success.audit.map((line) => JSON.parse(line).outcome)).toEqual(["failed", "failed"])
    expect(writes()).toEqual([])
  })

  it("decommissions by opening a PR that keeps the tenant's settings and sets its state", async () => {
    const result = await run(
      Effect.gen(function* () {
        const lifecycle = yield* TenantLifecycle
        const first = yield* lifecycle.decommission("acme", "carol")
        const again = yield* lifecycle.decommission("acme", "carol")
        return { first, again }
      }),
    )
    if (result._tag !== "Success") throw new Error(String(result.failure))
    expect([result.success.first.created, result.success.again.created]).toEqual([true, false])
    const file = github.branches.get("tenant/decommission-acme")?.get("tenants/acme.ts") ?? ""
    expect(parseDataFile("acme.ts", file)).toEqual({
      _tag: "Data",
      value: { name: "acme", tier: "pro", replicas: 3, state: "decommissioned" },
    })
    expect(github.pulls.map((pull) => pull.title)).toEqual(["Decommission tenant acme"])
  })

  it("decommissions from the file's text alone: a tenant file that would run code is refused, not run", async () => {
    const sentinel = join(tmpdir(), `ppi-lifecycle-${process.pid}-ran`)
    github.branches
      .get("main")
      ?.set(
        "tenants/acme.ts",
        `export default { name: "acme", tier: "pro", displayName: require("node:fs").writeFileSync(${JSON.stringify(sentinel)}, "x") }`,
      )
    const result = await run(
      Effect.gen(function* () {
        return yield* (yield* TenantLifecycle).decommission("acme", "mallory")
      }),
    )
    expect(result._tag === "Failure" && result.failure.message).toContain(
      "tenants/acme.ts:1:58: displayName: a call is not allowed in a tenant file",
    )
    expect(existsSync(sentinel)).toBe(false)
    expect(writes()).toEqual([])
  })

  it("says when there is no such tenant", async () => {
    const result = await run(
      Effect.gen(function* () {
        return yield* (yield* TenantLifecycle).decommission("ghost", "dave")
      }),
    )
    expect(result._tag === "Failure" && result.failure._tag).toBe("TenantNotFound")
  })
})
