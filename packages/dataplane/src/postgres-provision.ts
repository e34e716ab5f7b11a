import { dbRoleOf, dbSchemaOf, type Tenant, TierSpecs } from "@ppi/config"

/**
 * Statistics and activity views that describe every session and table of the database, not
 * only the caller's: who is connected when, row and write counts, locks held. No client tool
 * or ORM needs them (psql's `\d` family and `pg_dump` do not read them), so PUBLIC loses them.
 * The catalogs themselves (`pg_class`, `pg_namespace`, `pg_proc`, …) stay readable: psql,
 * `pg_dump` and ORMs break without them (measured; see docs/data-plane.md).
 */
const HIDDEN_STATISTICS_VIEWS = [
  "pg_stat_activity",
  "pg_locks",
  "pg_stat_all_tables",
  "pg_stat_user_tables",
  "pg_stat_sys_tables",
  "pg_stat_xact_all_tables",
  "pg_stat_xact_user_tables",
  "pg_stat_xact_sys_tables",
  "pg_statio_all_tables",
  "pg_statio_user_tables",
  "pg_statio_sys_tables",
  "pg_stat_all_indexes",
  "pg_stat_user_indexes",
  "pg_stat_sys_indexes",
  "pg_statio_all_indexes",
  "pg_statio_user_indexes",
  "pg_statio_sys_indexes",
  "pg_statio_all_sequences",
  "pg_statio_user_sequences",
  "pg_stat_user_functions",
  "pg_stat_xact_user_functions",
  "pg_stat_database",
  "pg_stat_database_conflicts",
] as const

/**
 * The exact script the in-cluster provisioning Job runs with `psql`, identical for every
 * tenant; the tenant's values arrive as psql variables (`-v role=…`), the password from the
 * Job's environment, so no credential is ever part of a manifest.
 *
 * PostgreSQL's secure schema usage pattern: nobody but the owner may use a schema, PUBLIC may
 * neither create in `public` nor connect to the database (nor to `postgres` and `template1`,
 * where the admin owns them), the tenant role can do nothing but log in and own its schema.
 * PostgreSQL has no CREATE ROLE IF NOT EXISTS: the role is created by a guarded `\gexec`, then
 * every attribute is (re)asserted so a run repairs drift. Nothing here ever drops a schema, a
 * role or data.
 *
 * It runs as a superuser (self-hosted) or as a managed service's admin with only CREATEROLE
 * (cloud; PostgreSQL 15 or later): what needs more (hiding the statement from the log, revoking
 * on databases and views the admin does not own) is done only when the admin may, and the admin
 * makes itself a member of the tenant role, which PostgreSQL requires to create a schema or set
 * default privileges for it. Two transactions: shared state under a lock on a table in a schema
 * only the admin can use (a tenant can neither take nor hold it), then the tenant's own objects
 * under a per-tenant row lock, so a tenant that holds its own rows delays only its own run. Both
 * give up after `lock_timeout` rather than wait behind anything.
 */
export const POSTGRES_PROVISION_SQL = String.raw`\set ON_ERROR_STOP on
\getenv tenant_password TENANT_DB_PASSWORD
\if :{?lock_timeout}
\else
\set lock_timeout 30s
\endif
SET client_min_messages = warning;
-- Keep the password out of the server log, where the admin may change log_statement.
SELECT has_parameter_privilege('log_statement', 'SET') AS may_hide \gset
\if :may_hide
SET log_statement = 'none';
\endif

-- The locks that serialize runs, in a schema only the admin can use: one for the whole
-- database, one row per tenant.
CREATE SCHEMA IF NOT EXISTS platform_admin;
REVOKE ALL ON SCHEMA platform_admin FROM PUBLIC;
CREATE TABLE IF NOT EXISTS platform_admin.provision_lock ();
REVOKE ALL ON platform_admin.provision_lock FROM PUBLIC;
CREATE TABLE IF NOT EXISTS platform_admin.tenant_provision_lock (role name PRIMARY KEY);
REVOKE ALL ON platform_admin.tenant_provision_lock FROM PUBLIC;

-- Shared state, one run at a time. Nothing here touches a row a tenant can lock.
BEGIN;
SET LOCAL lock_timeout = :'lock_timeout';
LOCK TABLE platform_admin.provision_lock IN EXCLUSIVE MODE;

-- The shared database: nobody connects or creates temp tables by default; nobody uses or
-- creates in public. The maintenance databases too, where the admin owns them.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', datname)
FROM pg_catalog.pg_database
WHERE datname IN ('postgres', 'template1') AND pg_catalog.pg_has_role(current_user, datdba, 'USAGE') \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE SELECT ON pg_catalog.%I FROM PUBLIC', c.relname)
FROM pg_catalog.pg_class c
WHERE c.relnamespace = 'pg_catalog'::regnamespace
  AND c.relname IN (${HIDDEN_STATISTICS_VIEWS.map((view) => `'${view}'`).join(", ")})
  AND pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE') \gexec
-- ... and the functions under them (the backends' activity, locks, per-table counters).
SELECT format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', p.oid::regprocedure)
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'pg_catalog'::regnamespace
  AND (p.proname LIKE 'pg\_stat\_get\_%' OR p.proname IN ('pg_lock_status', 'pg_blocking_pids'))
  AND pg_catalog.pg_has_role(current_user, p.proowner, 'USAGE') \gexec
DO $$ BEGIN
  IF has_database_privilege('public', current_database(), 'CONNECT') THEN
    RAISE EXCEPTION 'PUBLIC may still connect to %: the provisioning admin must own it', current_database();
  END IF;
END $$;

-- The tenant role is created here (without a password it cannot log in yet) because CONNECT on
-- the shared database is shared state; granted only when missing, so an existing tenant's run
-- changes nothing here.
SELECT format('CREATE ROLE %I LOGIN', :'role')
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'role') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'role')
WHERE NOT has_database_privilege(:'role', current_database(), 'CONNECT') \gexec
COMMIT;

-- The tenant's own role, schema and default privileges, serialized per tenant only: a tenant
-- holding its own rows in an open transaction (ALTER ROLE itself, GRANT on its schema, ALTER
-- DEFAULT PRIVILEGES) makes its own run wait and give up, never another tenant's.
BEGIN;
SET LOCAL lock_timeout = :'lock_timeout';
-- Inserted or updated, the tenant's row stays locked until COMMIT.
INSERT INTO platform_admin.tenant_provision_lock VALUES (:'role')
ON CONFLICT (role) DO UPDATE SET role = EXCLUDED.role;

-- Attributes asserted on every run. Only a superuser may even restate SUPERUSER, REPLICATION
-- and BYPASSRLS; nobody else can set them.
SELECT format(
  'ALTER ROLE %I WITH LOGIN NOINHERIT NOCREATEDB NOCREATEROLE%s CONNECTION LIMIT %s PASSWORD %L',
  :'role',
  CASE WHEN (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
       THEN ' NOSUPERUSER NOREPLICATION NOBYPASSRLS' ELSE '' END,
  :'connection_limit', :'tenant_password') \gexec
SELECT format('GRANT %I TO %I', :'role', current_user)
WHERE NOT pg_catalog.pg_has_role(current_user, :'role', 'USAGE') \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = %I', :'role', current_database(), :'schema') \gexec

-- The tenant schema: owned by the tenant role, invisible to everyone else.
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', :'schema', :'role') \gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', :'schema', :'role') \gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', :'schema') \gexec

-- What the tenant creates stays private: no default grants to PUBLIC.
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC', :'role') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE USAGE ON TYPES FROM PUBLIC', :'role') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE ALL ON TABLES FROM PUBLIC', :'role') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE ALL ON SEQUENCES FROM PUBLIC', :'role') \gexec
COMMIT;
`

/** The psql variables for one tenant (`psql -v name=value …`). */
const postgresVariables = (tenant: Pick<Tenant, "name" | "tier">): Readonly<Record<string, string>> => ({
  role: dbRoleOf(tenant.name),
  schema: dbSchemaOf(tenant.name),
  connection_limit: String(TierSpecs[tenant.tier].dbConnections),
})

/** `psql` arguments for one tenant: connection settings come from the standard PG* variables. */
export const psqlArguments = (tenant: Pick<Tenant, "name" | "tier">, scriptPath: string): ReadonlyArray<string> => [
  "--no-psqlrc",
  "--quiet",
  ...Object.entries(postgresVariables(tenant)).flatMap(([name, value]) => ["-v", `${name}=${value}`]),
  "-f",
  scriptPath,
]
