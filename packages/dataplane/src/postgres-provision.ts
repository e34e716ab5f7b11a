import { dbRoleOf, dbSchemaOf, type Tenant, TierSpecs } from "@ppi/config"

/**
 * The exact script the in-cluster provisioning Job runs with `psql`, identical for every
 * tenant; the tenant's values arrive as psql variables (`-v role=…`), the password from the
 * Job's environment, so no credential is ever part of a manifest.
 *
 * PostgreSQL's secure schema usage pattern: nobody but the owner may use a schema, PUBLIC may
 * neither create in `public` nor connect to the database, the tenant role can do nothing but log
 * in and own its schema. PostgreSQL has no CREATE ROLE IF NOT EXISTS: the role is created by a
 * guarded `\gexec`, then every attribute is (re)asserted so a run repairs drift. Nothing here
 * ever drops a schema, a role or data.
 */
export const POSTGRES_PROVISION_SQL = String.raw`\set ON_ERROR_STOP on
\getenv tenant_password TENANT_DB_PASSWORD
SET log_statement = 'none';
SET client_min_messages = warning;
BEGIN;
SELECT pg_advisory_xact_lock(hashtext('ppi-provision'));

-- The shared database (and the maintenance database): nobody connects or creates temp tables by
-- default; nobody uses or creates in public.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', datname)
FROM pg_catalog.pg_database WHERE datname IN (current_database(), 'postgres') \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- The tenant role: created once, attributes asserted on every run.
SELECT format('CREATE ROLE %I LOGIN', :'role')
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'role') \gexec
SELECT format(
  'ALTER ROLE %I WITH LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT %s PASSWORD %L',
  :'role', :'connection_limit', :'tenant_password') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'role') \gexec
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
export const postgresVariables = (tenant: Pick<Tenant, "name" | "tier">): Readonly<Record<string, string>> => ({
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
