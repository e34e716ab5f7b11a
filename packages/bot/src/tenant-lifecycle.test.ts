import { existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { parseDataFile } from "@ppi/data-file"
import { Effect, Layer } from "effect"
import { AuditLog } from "./audit-log.ts"
import { renderTenantFile } from "./tenant-file.ts"
import { TenantLifecycle } from "./tenant-lifecycle.ts"
import { FakeGitHub, writesTo } from "./testing/fake-github.ts"

const services = (audit: Layer.Layer<AuditLog> = AuditLog.memory) =>
  TenantLifecycle.layer("main").pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        FakeGitHub.layer({
          owner: "acme-org",
          files: { "tenants/acme.ts": renderTenantFile({ name: "acme", tier: "pro", replicas: 3 }) },
        }),
        audit,
      ),
    ),
  )

describe("TenantLifecycleService", () => {
  it.effect("provisions a tenant by opening one PR with its file, and audits it", () =>
    Effect.gen(function* () {
      const github = yield* FakeGitHub
      const lifecycle = yield* TenantLifecycle
      const first = yield* lifecycle.provision({ name: "zeta", tier: "free" }, "alice")
      const second = yield* lifecycle.provision({ name: "zeta", tier: "free" }, "alice")
      const audit = (yield* (yield* AuditLog).entries).map((line) => JSON.parse(line))
      expect(first).toEqual({ number: 1, url: "https://github.test/pull/1", created: true })
      expect(second).toEqual({ ...first, created: false })
      expect(writesTo(github)).toEqual([
        "POST /repos/acme-org/infra/git/refs",
        "PUT /repos/acme-org/infra/contents/tenants/zeta.ts",
        "POST /repos/acme-org/infra/pulls",
      ])
      const file = github.branches.get("tenant/provision-zeta")?.get("tenants/zeta.ts") ?? ""
      expect(file).toContain("satisfies TenantInput")
      expect(parseDataFile("zeta.ts", file)).toEqual({ _tag: "Data", value: { name: "zeta", tier: "free" } })
      expect(
        audit.map((e: { action: string; outcome: string; actor: string; tenant: string }) => [
          e.action,
          e.outcome,
          e.actor,
          e.tenant,
        ]),
      ).toEqual([
        ["provision", "opened", "alice", "zeta"],
        ["provision", "existing", "alice", "zeta"],
      ])
      expect(audit[0].time).toMatch(/^\d{4}-\d\d-\d\dT/)
    }).pipe(Effect.provide(services())),
  )

  it.effect("refuses an invalid tenant or one that already exists, and audits the failure", () =>
    Effect.gen(function* () {
      const lifecycle = yield* TenantLifecycle
      const invalid = yield* Effect.flip(lifecycle.provision({ name: "Bad Name", tier: "free" }, "bob"))
      const exists = yield* Effect.flip(lifecycle.provision({ name: "acme", tier: "free" }, "bob"))
      expect(invalid._tag).toBe("InvalidConfig")
      expect(exists._tag).toBe("TenantExists")
      expect((yield* (yield* AuditLog).entries).map((line) => JSON.parse(line).outcome)).toEqual(["failed", "failed"])
      expect(writesTo(yield* FakeGitHub)).toEqual([])
    }).pipe(Effect.provide(services())),
  )

  it.effect("decommissions by opening a PR that keeps the tenant's settings and sets its state", () =>
    Effect.gen(function* () {
      const github = yield* FakeGitHub
      const lifecycle = yield* TenantLifecycle
      const first = yield* lifecycle.decommission("acme", "carol")
      const again = yield* lifecycle.decommission("acme", "carol")
      expect([first.created, again.created]).toEqual([true, false])
      const file = github.branches.get("tenant/decommission-acme")?.get("tenants/acme.ts") ?? ""
      expect(parseDataFile("acme.ts", file)).toEqual({
        _tag: "Data",
        value: { name: "acme", tier: "pro", replicas: 3, state: "decommissioned" },
      })
      expect(github.pulls.map((pull) => pull.title)).toEqual(["Decommission tenant acme"])
    }).pipe(Effect.provide(services())),
  )

  it.effect("decommissions from the file's text alone: a tenant file that would run code is refused, not run", () =>
    Effect.gen(function* () {
      const github = yield* FakeGitHub
      const sentinel = join(tmpdir(), `ppi-lifecycle-${process.pid}-ran`)
      github.branches
        .get("main")
        ?.set(
          "tenants/acme.ts",
          `export default { name: "acme", tier: "pro", displayName: require("node:fs").writeFileSync(${JSON.stringify(sentinel)}, "x") }`,
        )
      const error = yield* Effect.flip((yield* TenantLifecycle).decommission("acme", "mallory"))
      expect(error.message).toContain("tenants/acme.ts:1:58: displayName: a call is not allowed in a tenant file")
      expect(existsSync(sentinel)).toBe(false)
      expect(writesTo(github)).toEqual([])
    }).pipe(Effect.provide(services())),
  )

  it.effect("says when there is no such tenant", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip((yield* TenantLifecycle).decommission("ghost", "dave"))
      expect(error._tag).toBe("TenantNotFound")
    }).pipe(Effect.provide(services())),
  )

  it.effect("fails, saying which file, when the audit log cannot be written", () =>
    Effect.gen(function* () {
      const log = join(tmpdir(), `ppi-lifecycle-${process.pid}-no-such-dir`, "audit.jsonl")
      const error = yield* Effect.flip((yield* TenantLifecycle).provision({ name: "zeta", tier: "free" }, "erin"))
      expect(error._tag).toBe("FileFailed")
      expect(error.message).toBe(
        `cannot append to the audit log ${log}: ENOENT: no such file or directory, open '${log}'`,
      )
    }).pipe(
      Effect.provide(
        services(AuditLog.file(join(tmpdir(), `ppi-lifecycle-${process.pid}-no-such-dir`, "audit.jsonl"))),
      ),
    ),
  )
})
