import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { dbRoleOf, TierSpecs } from "@ppi/config"
import { POSTGRES_PROVISION_SQL, psqlArguments } from "./postgres-provision.ts"
import { type LocalPostgres, startPostgres } from "./testing/local-servers.ts"

let pg: LocalPostgres
let scriptDir: string
const passwords = { a: "pw-tenant-a", b: "pw-tenant-b" }
const tenantA = { name: "alpha", tier: "free" } as const
const tenantB = { name: "bravo", tier: "pro" } as const

const connection = (user: string, password: string) => ({
  ...process.env,
  PGHOST: "127.0.0.1",
  PGPORT: String(pg.port),
  PGDATABASE: pg.database,
  PGUSER: user,
  PGPASSWORD: password,
})

/** Runs the provisioning exactly as the in-cluster Job does: psql, the script file, -v variables, the password in env. */
const provision = (tenant: { name: string; tier: "free" | "pro" }, password: string) =>
  spawnSync("psql", [...psqlArguments(tenant, join(scriptDir, "provision.sql"))], {
    env: { ...connection(pg.admin.user, pg.admin.password), TENANT_DB_PASSWORD: password },
    encoding: "utf8",
  })

const psql = (user: string, password: string, statement: string) => {
  const result = spawnSync("psql", ["--no-psqlrc", "-tA", "-v", "ON_ERROR_STOP=1", "-c", statement], {
    env: connection(user, password),
    encoding: "utf8",
  })
  return { ok: result.status === 0, out: result.stdout.trim(), err: result.stderr.trim() }
}
const asA = (statement: string) => psql(dbRoleOf("alpha"), passwords.a, statement)
const asB = (statement: string) => psql(dbRoleOf("bravo"), passwords.b, statement)
const asAdmin = (statement: string) => psql(pg.admin.user, pg.admin.password, statement)

beforeAll(async () => {
  pg = await startPostgres()
  scriptDir = mkdtempSync(join(tmpdir(), "ppi-sql-"))
  writeFileSync(join(scriptDir, "provision.sql"), POSTGRES_PROVISION_SQL)
  asAdmin("CREATE TABLE public.platform_notes (note text); INSERT INTO public.platform_notes VALUES ('internal')")
}, 120_000)
afterAll(() => {
  pg?.stop()
  rmSync(scriptDir, { recursive: true, force: true })
})

describe("PostgreSQL provisioning on a real server", () => {
  it("provisions twice without error and without duplicating anything", () => {
    for (let run = 0; run < 2; run++) {
      for (const [tenant, password] of [
        [tenantA, passwords.a],
        [tenantB, passwords.b],
      ] as const) {
        const result = provision(tenant, password)
        expect(result.stderr).toBe("")
        expect(result.status).toBe(0)
      }
    }
    expect(asAdmin("SELECT count(*) FROM pg_roles WHERE rolname IN ('tenant_alpha', 'tenant_bravo')").out).toBe("2")
    expect(asAdmin("SELECT count(*) FROM pg_namespace WHERE nspname IN ('tenant_alpha', 'tenant_bravo')").out).toBe("2")
    expect(
      asAdmin(
        "SELECT rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolsuper, rolconnlimit FROM pg_roles WHERE rolname = 'tenant_alpha'",
      ).out,
    ).toBe(`t|f|f|f|f|${TierSpecs.free.dbConnections}`)
  })

  it("lets a tenant work normally in its own schema, found through its search_path", () => {
    expect(asA("CREATE TABLE orders (id int primary key, total numeric)").ok).toBe(true)
    expect(asA("INSERT INTO orders VALUES (1, 9.5)").ok).toBe(true)
    expect(asA("SELECT total FROM tenant_alpha.orders WHERE id = 1").out).toBe("9.5")
    expect(asA("SHOW search_path").out).toBe("tenant_alpha")
    expect(asA("CREATE INDEX ON orders (total)").ok).toBe(true)
  })

  it("keeps tenant A out of tenant B's schema: no read, no write, no create", () => {
    expect(asB("CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('b-only')").ok).toBe(true)
    for (const statement of [
      "SELECT * FROM tenant_bravo.secrets",
      "INSERT INTO tenant_bravo.secrets VALUES ('x')",
      "CREATE TABLE tenant_bravo.intruder (v text)",
      "DROP TABLE tenant_bravo.secrets",
    ]) {
      const result = asA(statement)
      expect(result.ok, statement).toBe(false)
      expect(result.err).toMatch(/permission denied|must be owner/)
    }
    expect(asB("SELECT v FROM secrets").out).toBe("b-only")
  })

  it("keeps tenants out of public, temporary tables and other databases", () => {
    expect(asA("CREATE TABLE public.leak (v text)").ok).toBe(false)
    expect(asA("SELECT * FROM public.platform_notes").ok).toBe(false)
    expect(asA("CREATE TEMP TABLE t (v text)").err).toMatch(/permission denied/)
    expect(asA("CREATE SCHEMA extra").err).toMatch(/permission denied/)
    const other = spawnSync("psql", ["-c", "select 1"], {
      env: { ...connection("tenant_alpha", passwords.a), PGDATABASE: "postgres" },
    })
    expect(other.status).not.toBe(0)
  })

  it("does not let a tenant grant itself anything or become another role", () => {
    expect(asA("SET ROLE tenant_bravo").ok).toBe(false)
    expect(asA("ALTER ROLE tenant_alpha CONNECTION LIMIT 1000").ok).toBe(false)
    expect(asA("CREATE ROLE sneaky").ok).toBe(false)
  })

  it("keeps the data when provisioning runs again, and resets a drifted role", () => {
    asAdmin("ALTER ROLE tenant_alpha CREATEDB CONNECTION LIMIT 99")
    expect(provision(tenantA, passwords.a).status).toBe(0)
    expect(asA("SELECT count(*) FROM orders").out).toBe("1")
    expect(asAdmin("SELECT rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname = 'tenant_alpha'").out).toBe(
      `f|${TierSpecs.free.dbConnections}`,
    )
  })

  it("enforces the tier's connection limit", async () => {
    const limit = TierSpecs.free.dbConnections
    const holders: Array<ChildProcess> = []
    try {
      for (let i = 0; i < limit; i++)
        holders.push(
          spawn("psql", ["-c", "SELECT pg_sleep(30)"], {
            env: connection("tenant_alpha", passwords.a),
            stdio: "ignore",
          }),
        )
      for (let attempt = 0; attempt < 100; attempt++) {
        if (asAdmin("SELECT count(*) FROM pg_stat_activity WHERE usename = 'tenant_alpha'").out === String(limit)) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const extra = asA("SELECT 1")
      expect(extra.ok).toBe(false)
      expect(extra.err).toContain("too many connections for role")
    } finally {
      for (const holder of holders) holder.kill("SIGKILL")
      asAdmin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'tenant_alpha'")
    }
  })
})
