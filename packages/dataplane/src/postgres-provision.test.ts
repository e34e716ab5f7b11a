import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { dbRoleOf, TierSpecs } from "@ppi/config"
import { POSTGRES_PROVISION_SQL, psqlArguments } from "./postgres-provision.ts"
import { type LocalPostgres, startPostgres } from "./testing/local-servers.ts"
import { until } from "./testing/until.ts"

let pg: LocalPostgres
let scriptDir: string
const passwords = { acme: "pw-acme", globex: "pw-globex" }
const acme = { name: "acme", tier: "free" } as const
const globex = { name: "globex", tier: "pro" } as const

const connection = (user: string, password: string) => ({
  ...process.env,
  PGHOST: "127.0.0.1",
  PGPORT: String(pg.port),
  PGDATABASE: pg.database,
  PGUSER: user,
  PGPASSWORD: password,
})

/** Runs the provisioning exactly as the in-cluster Job does: psql, the script file, -v variables, the password in env. */
const provision = (
  tenant: { name: string; tier: "free" | "pro" },
  password: string,
  options: {
    readonly admin?: { user: string; password: string }
    readonly database?: string
    extra?: Array<string>
  } = {},
) =>
  spawnSync("psql", [...psqlArguments(tenant, join(scriptDir, "provision.sql")), ...(options.extra ?? [])], {
    env: {
      ...connection(options.admin?.user ?? pg.admin.user, options.admin?.password ?? pg.admin.password),
      ...(options.database ? { PGDATABASE: options.database } : {}),
      TENANT_DB_PASSWORD: password,
    },
    encoding: "utf8",
  })

const psql = (user: string, password: string, statement: string) => {
  const result = spawnSync("psql", ["--no-psqlrc", "-tA", "-v", "ON_ERROR_STOP=1", "-c", statement], {
    env: connection(user, password),
    encoding: "utf8",
  })
  return { ok: result.status === 0, out: result.stdout.trim(), err: result.stderr.trim() }
}
const asAcme = (statement: string) => psql(dbRoleOf("acme"), passwords.acme, statement)
const asGlobex = (statement: string) => psql(dbRoleOf("globex"), passwords.globex, statement)
const asAdmin = (statement: string) => psql(pg.admin.user, pg.admin.password, statement)

/**
 * A background session as `user` running `statements`; resolves once `ready` holds (as the admin
 * sees it) with a release that ends the client and its server backend (a killed client's backend
 * would otherwise sleep on, holding its locks).
 */
const holdSession = async (user: string, password: string, statements: string, ready: string) => {
  const session = spawn("psql", ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", statements], {
    env: connection(user, password),
    stdio: "ignore",
  })
  const release = () => {
    session.kill("SIGKILL")
    asAdmin(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${user}' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`,
    )
  }
  try {
    await until(() => asAdmin(ready).out === "t", `the session reaches ${ready}`)
  } catch (error) {
    release()
    throw error
  }
  return release
}

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
        [acme, passwords.acme],
        [globex, passwords.globex],
      ] as const) {
        const result = provision(tenant, password)
        expect(result.stderr).toBe("")
        expect(result.status).toBe(0)
      }
    }
    expect(asAdmin("SELECT count(*) FROM pg_roles WHERE rolname IN ('tenant_acme', 'tenant_globex')").out).toBe("2")
    expect(asAdmin("SELECT count(*) FROM pg_namespace WHERE nspname IN ('tenant_acme', 'tenant_globex')").out).toBe("2")
    expect(
      asAdmin(
        "SELECT rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolsuper, rolconnlimit FROM pg_roles WHERE rolname = 'tenant_acme'",
      ).out,
    ).toBe(`t|f|f|f|f|${TierSpecs.free.dbConnections}`)
  })

  it("lets a tenant work normally in its own schema, found through its search_path", () => {
    expect(asAcme("CREATE TABLE orders (id int primary key, total numeric)").ok).toBe(true)
    expect(asAcme("INSERT INTO orders VALUES (1, 9.5)").ok).toBe(true)
    expect(asAcme("SELECT total FROM tenant_acme.orders WHERE id = 1").out).toBe("9.5")
    expect(asAcme("SHOW search_path").out).toBe("tenant_acme")
    expect(asAcme("CREATE INDEX ON orders (total)").ok).toBe(true)
  })

  it("keeps acme out of globex's schema: no read, no write, no create", () => {
    expect(asGlobex("CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('g-only')").ok).toBe(true)
    for (const statement of [
      "SELECT * FROM tenant_globex.secrets",
      "INSERT INTO tenant_globex.secrets VALUES ('x')",
      "CREATE TABLE tenant_globex.intruder (v text)",
      "DROP TABLE tenant_globex.secrets",
    ]) {
      const result = asAcme(statement)
      expect(result.ok, statement).toBe(false)
      expect(result.err).toMatch(/permission denied|must be owner/)
    }
    expect(asGlobex("SELECT v FROM secrets").out).toBe("g-only")
  })

  it("keeps psql's describe commands and pg_dump of the tenant's own schema working", () => {
    expect(
      asAcme("CREATE FUNCTION total_of(int) RETURNS numeric LANGUAGE sql AS 'SELECT total FROM orders WHERE id = $1'")
        .ok,
    ).toBe(true)
    expect(asAcme("CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100").ok).toBe(true)
    for (const command of ["\\dt", "\\d orders", "\\df", "\\sf total_of", "\\d+ big_orders", "\\dt+"]) {
      const result = asAcme(command)
      expect(result.err, command).toBe("")
      expect(result.out, command).not.toBe("")
    }
    const dump = spawnSync("pg_dump", ["--schema", "tenant_acme"], {
      env: connection("tenant_acme", passwords.acme),
      encoding: "utf8",
    })
    expect(dump.stderr).toBe("")
    expect(dump.stdout).toContain("CREATE TABLE tenant_acme.orders")
    expect(dump.stdout).toContain("CREATE FUNCTION tenant_acme.total_of")
  })

  it("hides other tenants' sessions, table statistics and locks", async () => {
    const releaseGlobexSession = await holdSession(
      dbRoleOf("globex"),
      passwords.globex,
      "BEGIN; LOCK TABLE tenant_globex.secrets; SELECT pg_sleep(30)",
      "SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'secrets'",
    )
    try {
      for (const view of [
        "pg_stat_activity",
        "pg_locks",
        "pg_stat_user_tables",
        "pg_statio_all_tables",
        "pg_stat_database",
      ]) {
        const result = asAcme(`SELECT * FROM pg_catalog.${view}`)
        expect(result.ok, view).toBe(false)
        expect(result.err, view).toContain("permission denied")
      }
      // The functions under the views, too.
      for (const call of [
        "pg_stat_get_activity(NULL)",
        "pg_lock_status()",
        "pg_stat_get_live_tuples((SELECT oid FROM pg_class WHERE relname = 'secrets'))",
        "pg_stat_get_backend_userid(1)",
      ]) {
        const result = asAcme(`SELECT * FROM ${call}`)
        expect(result.ok, call).toBe(false)
        expect(result.err, call).toContain("permission denied for function")
      }
    } finally {
      releaseGlobexSession()
    }
  })

  it("keeps tenants out of public, temporary tables and other databases", () => {
    expect(asAcme("CREATE TABLE public.leak (v text)").ok).toBe(false)
    expect(asAcme("SELECT * FROM public.platform_notes").ok).toBe(false)
    expect(asAcme("CREATE TEMP TABLE t (v text)").err).toMatch(/permission denied/)
    expect(asAcme("CREATE SCHEMA extra").err).toMatch(/permission denied/)
    for (const database of ["postgres", "template1"]) {
      const other = spawnSync("psql", ["-c", "select 1"], {
        env: { ...connection("tenant_acme", passwords.acme), PGDATABASE: database },
        encoding: "utf8",
      })
      expect(other.status, database).not.toBe(0)
      expect(other.stderr, database).toContain(`permission denied for database "${database}"`)
    }
  })

  it("does not let a tenant grant itself anything or become another role", () => {
    expect(asAcme("SET ROLE tenant_globex").ok).toBe(false)
    expect(asAcme("ALTER ROLE tenant_acme CONNECTION LIMIT 1000").ok).toBe(false)
    expect(asAcme("CREATE ROLE sneaky").ok).toBe(false)
  })

  it("keeps globex's large objects and backends out of acme's reach", async () => {
    const oid = asGlobex("SELECT lo_from_bytea(0, 'globex-blob')").out
    expect(oid).toMatch(/^\d+$/)
    expect(asAcme(`SELECT lo_get(${oid})`).err).toContain("permission denied for large object")
    expect(asAcme(`SELECT lo_unlink(${oid})`).err).toContain("must be owner of large object")
    const releaseSession = await holdSession(
      dbRoleOf("globex"),
      passwords.globex,
      "SELECT pg_sleep(30)",
      "SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = 'tenant_globex' AND state = 'active'",
    )
    try {
      const pid = asAdmin(
        "SELECT pid FROM pg_stat_activity WHERE usename = 'tenant_globex' AND state = 'active' ORDER BY backend_start DESC LIMIT 1",
      ).out
      for (const signal of ["pg_cancel_backend", "pg_terminate_backend"])
        expect(asAcme(`SELECT ${signal}(${pid})`).err, signal).toContain("must be a member of the role whose")
      expect(asAdmin(`SELECT count(*) FROM pg_stat_activity WHERE pid = ${pid}`).out).toBe("1")
    } finally {
      releaseSession()
    }
  })

  it("keeps the data when provisioning runs again, and resets a drifted role", () => {
    asAdmin("ALTER ROLE tenant_acme CREATEDB CONNECTION LIMIT 99")
    expect(provision(acme, passwords.acme).status).toBe(0)
    expect(asAcme("SELECT count(*) FROM orders").out).toBe("1")
    expect(asAdmin("SELECT rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname = 'tenant_acme'").out).toBe(
      `f|${TierSpecs.free.dbConnections}`,
    )
  })

  it("is not blocked by a tenant holding the old advisory lock key, and a tenant cannot take the real lock", async () => {
    const releaseHolder = await holdSession(
      dbRoleOf("acme"),
      passwords.acme,
      "SELECT pg_advisory_lock(hashtext('ppi-provision')); SELECT pg_sleep(30)",
      "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted",
    )
    try {
      const result = provision(globex, passwords.globex, { extra: ["-v", "lock_timeout=2s"] })
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
    } finally {
      releaseHolder()
    }
    expect(asAcme("BEGIN; LOCK TABLE platform_admin.provision_lock; COMMIT").err).toContain(
      "permission denied for schema",
    )
  })

  it("lets another tenant provision while a tenant's open transaction holds its own role, schema and default privileges", async () => {
    const releaseHolder = await holdSession(
      dbRoleOf("acme"),
      passwords.acme,
      [
        "BEGIN",
        "GRANT USAGE ON SCHEMA tenant_acme TO tenant_acme",
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO tenant_acme",
        `ALTER ROLE tenant_acme IN DATABASE ${pg.database} SET search_path = tenant_acme`,
        `ALTER ROLE tenant_acme PASSWORD '${passwords.acme}'`,
        "SELECT pg_sleep(30)",
      ].join("; "),
      "SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = 'tenant_acme' AND wait_event = 'PgSleep'",
    )
    try {
      // acme's own run waits behind acme's transaction...
      const acmeRun = spawn(
        "psql",
        [...psqlArguments(acme, join(scriptDir, "provision.sql")), "-v", "lock_timeout=4s"],
        {
          env: { ...connection(pg.admin.user, pg.admin.password), TENANT_DB_PASSWORD: passwords.acme },
        },
      )
      let acmeErr = ""
      acmeRun.stderr.on("data", (chunk) => {
        acmeErr += String(chunk)
      })
      const acmeDone = new Promise<number | null>((resolve) => acmeRun.once("exit", resolve))
      await until(
        () =>
          asAdmin(
            `SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = '${pg.admin.user}' AND wait_event_type = 'Lock'`,
          ).out === "t",
        "acme's provisioning waits for a lock",
      )
      // ... and globex's run, meanwhile, is not held up by it.
      const result = provision(globex, passwords.globex, { extra: ["-v", "lock_timeout=1s"] })
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
      // acme only delays its own run, which gives up and is retried by the Job.
      expect(await acmeDone).not.toBe(0)
      expect(acmeErr).toContain("lock timeout")
    } finally {
      releaseHolder()
    }
    expect(provision(acme, passwords.acme).status).toBe(0)
  })

  it("gives up after lock_timeout instead of waiting behind a held provisioning lock", async () => {
    const releaseHolder = await holdSession(
      pg.admin.user,
      pg.admin.password,
      "BEGIN; LOCK TABLE platform_admin.provision_lock IN EXCLUSIVE MODE; SELECT pg_sleep(30)",
      "SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'provision_lock' AND l.granted",
    )
    try {
      const started = Date.now()
      const result = provision(globex, passwords.globex, { extra: ["-v", "lock_timeout=500ms"] })
      expect(result.status).not.toBe(0)
      expect(result.stderr).toContain("lock timeout")
      expect(Date.now() - started).toBeLessThan(10_000)
    } finally {
      releaseHolder()
    }
  })

  it("provisions with a managed service's admin that has CREATEROLE but is not a superuser", () => {
    const cloudAdmin = { user: "cloud_admin", password: "cloud-admin-test-only" }
    expect(
      asAdmin(`CREATE ROLE cloud_admin LOGIN CREATEROLE PASSWORD '${cloudAdmin.password}'`).ok &&
        spawnSync("psql", ["-c", "CREATE DATABASE managed OWNER cloud_admin"], {
          env: { ...connection(pg.admin.user, pg.admin.password), PGDATABASE: "postgres" },
        }).status === 0,
    ).toBe(true)
    const cloudTenant = { name: "initech", tier: "pro" } as const
    for (let run = 0; run < 2; run++) {
      const result = provision(cloudTenant, "pw-initech", { admin: cloudAdmin, database: "managed" })
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
    }
    const asInitech = (statement: string) =>
      spawnSync("psql", ["--no-psqlrc", "-tA", "-c", statement], {
        env: { ...connection("tenant_initech", "pw-initech"), PGDATABASE: "managed" },
        encoding: "utf8",
      })
    expect(asInitech("CREATE TABLE t (v int)").status).toBe(0)
    expect(asInitech("SELECT schemaname FROM pg_tables WHERE tablename = 't'").stdout.trim()).toBe("tenant_initech")
    expect(asInitech("CREATE TABLE public.t (v int)").stderr).toContain("permission denied")
    expect(
      spawnSync("psql", ["-c", "select 1"], {
        env: { ...connection("tenant_acme", passwords.acme), PGDATABASE: "managed" },
      }).status,
    ).not.toBe(0)
  })

  it("enforces the tier's connection limit", async () => {
    const limit = TierSpecs.free.dbConnections
    const holders: Array<ChildProcess> = []
    try {
      for (let i = 0; i < limit; i++)
        holders.push(
          spawn("psql", ["-c", "SELECT pg_sleep(30)"], {
            env: connection("tenant_acme", passwords.acme),
            stdio: "ignore",
          }),
        )
      await until(
        () => asAdmin("SELECT count(*) FROM pg_stat_activity WHERE usename = 'tenant_acme'").out === String(limit),
        `${limit} sessions of tenant_acme`,
      )
      const extra = asAcme("SELECT 1")
      expect(extra.ok).toBe(false)
      expect(extra.err).toContain("too many connections for role")
    } finally {
      for (const holder of holders) holder.kill("SIGKILL")
      asAdmin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'tenant_acme'")
    }
  })
})

describe("PostgreSQL residuals, documented in docs/data-plane.md", () => {
  it("delivers NOTIFY to any listener of the same database, whoever sent it (no privilege governs channels)", async () => {
    let output = ""
    const listener = spawn(
      "psql",
      ["--no-psqlrc", "-c", "LISTEN globex_events", "-c", "SELECT pg_sleep(3)", "-c", "SELECT 1"],
      { env: connection("tenant_acme", passwords.acme) },
    )
    listener.stdout.on("data", (chunk) => {
      output += String(chunk)
    })
    const exited = new Promise((resolve) => listener.once("exit", resolve))
    // Listening once its next statement runs.
    await until(
      () =>
        asAdmin(
          "SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = 'tenant_acme' AND query = 'SELECT pg_sleep(3)'",
        ).out === "t",
      "the listener is past LISTEN",
      50,
    )
    expect(asGlobex("NOTIFY globex_events, 'order 42 shipped'").ok).toBe(true)
    await exited
    expect(output).toContain('payload "order 42 shipped"')
  })

  it("shares advisory locks between tenants: acme can hold the key globex's migrations wait for", async () => {
    const releaseHolder = await holdSession(
      dbRoleOf("acme"),
      passwords.acme,
      "SELECT pg_advisory_lock(72707369); SELECT pg_sleep(30)",
      "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND granted",
    )
    try {
      expect(asGlobex("SELECT pg_try_advisory_lock(72707369)").out).toBe("f")
    } finally {
      releaseHolder()
    }
  })

  it("shows every tenant the names of other schemas and tables in the catalogs", () => {
    expect(
      asAcme("SELECT relname FROM pg_class WHERE relnamespace = 'tenant_globex'::regnamespace AND relkind = 'r'").out,
    ).toBe("secrets")
  })

  it("shows every tenant other tenants' roles, column names, function and view source, and sizes", () => {
    expect(
      asGlobex(
        [
          "CREATE TABLE IF NOT EXISTS customers (id int, credit_limit numeric)",
          "CREATE OR REPLACE FUNCTION discount(total numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT total * 0.13 /* globex pricing */ $$",
          "CREATE OR REPLACE VIEW big_customers AS SELECT id FROM customers WHERE credit_limit > 90000",
        ].join("; "),
      ).ok,
    ).toBe(true)
    // By oid: naming `tenant_globex.x` needs USAGE on the schema, which acme lacks; the catalogs do not.
    const globexRelation = (name: string) =>
      `(SELECT oid FROM pg_class WHERE relnamespace = 'tenant_globex'::regnamespace AND relname = '${name}')`
    // Roles: every tenant's name and its attributes.
    expect(asAcme("SELECT rolname, rolconnlimit FROM pg_roles WHERE rolname = 'tenant_globex'").out).toBe(
      `tenant_globex|${TierSpecs.pro.dbConnections}`,
    )
    // Column names and types of another tenant's table.
    expect(
      asAcme(
        `SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = ${globexRelation("customers")} AND attnum > 0`,
      ).out,
    ).toBe("id,credit_limit")
    // Function source, through the catalog and through pg_get_functiondef.
    expect(
      asAcme("SELECT prosrc FROM pg_proc WHERE pronamespace = 'tenant_globex'::regnamespace AND proname = 'discount'")
        .out,
    ).toContain("globex pricing")
    expect(
      asAcme(
        "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = 'tenant_globex'::regnamespace AND proname = 'discount'",
      ).out,
    ).toContain("0.13")
    // View definitions.
    expect(asAcme(`SELECT pg_get_viewdef(${globexRelation("big_customers")})`).out).toContain("90000")
    // Sizes.
    expect(asAcme(`SELECT pg_total_relation_size(${globexRelation("secrets")}) > 0`).out).toBe("t")
    // information_schema, by contrast, filters by privilege: acme sees none of globex's columns there.
    expect(asAcme("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'tenant_globex'").out).toBe("0")
    // Seeing the source is not running it: the function stays out of acme's reach.
    expect(asAcme("SELECT tenant_globex.discount(100)").err).toContain("permission denied")
  })
})
