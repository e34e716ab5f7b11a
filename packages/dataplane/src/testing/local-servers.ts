import { execFileSync, spawn } from "node:child_process"
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findExecutable, installCommand, isExecutableFile, PG_ROOT, pgBin } from "./server-binaries.ts"
import { until } from "./until.ts"

/**
 * Real PostgreSQL and Redis servers from Debian's packages, started on 127.0.0.1 in temporary
 * folders for one test file, and stopped after it. Installs the packages when they are missing
 * (CI machines start without them; `.ci/run` installs them too).
 */
const isRoot = process.getuid?.() === 0

interface Binaries {
  /** The bin folder of the PostgreSQL major to run (initdb, postgres). */
  readonly pg: string
  readonly psql: string
  readonly redisServer: string
  readonly redisCli: string
  /** The alpine image's tools, as applets (`alpineTools`). */
  readonly busybox: string
}

const installed = (): Binaries | undefined => {
  const pg = pgBin()
  if (pg === undefined) return undefined
  const find = (name: string, ...extra: ReadonlyArray<string>) =>
    findExecutable(name, process.env.PATH, isExecutableFile, ["/usr/bin", "/usr/sbin", ...extra])
  const [psql, redisServer, redisCli, busybox] = [
    find("psql", pg),
    find("redis-server"),
    find("redis-cli"),
    find("busybox"),
  ]
  return psql && redisServer && redisCli && busybox ? { pg, psql, redisServer, redisCli, busybox } : undefined
}

let binaries: Binaries | undefined
const ensurePackages = (): Binaries => {
  binaries ??= installed()
  if (binaries !== undefined) return binaries
  execFileSync("sh", ["-c", installCommand(isRoot)], { stdio: "inherit" })
  binaries = installed()
  if (binaries === undefined)
    throw new Error(`no PostgreSQL 14 or later under ${PG_ROOT}, or no psql, redis-server, redis-cli or busybox`)
  return binaries
}

/**
 * A folder standing in for the alpine Redis image's tools: busybox's `sh`, `awk`, `sort` and the
 * rest as applets, plus `redis-cli`. Scripts that run in that image run here with it alone on
 * their PATH, so a bashism or a GNU-only option fails the test as it would fail in the pod.
 */
export const alpineTools = (): string => {
  const { busybox, redisCli } = ensurePackages()
  const dir = mkdtempSync(join(tmpdir(), "ppi-alpine-"))
  chmodSync(dir, 0o755)
  const applets = "sh awk sort mktemp mkfifo sleep date rm mv cat sed cut sha256sum"
  for (const applet of applets.split(" ")) symlinkSync(busybox, join(dir, applet))
  symlinkSync(redisCli, join(dir, "redis-cli"))
  return dir
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      )
    })
  })

const succeeds = (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): boolean => {
  try {
    execFileSync(command, args, { stdio: "ignore", env: { ...process.env, ...env } })
    return true
  } catch {
    return false
  }
}

export interface LocalPostgres {
  readonly port: number
  readonly database: string
  readonly admin: { readonly user: string; readonly password: string }
  readonly stop: () => void
}

/** initdb + postgres as an unprivileged user: `postgres` when we are root (PostgreSQL refuses root), else ourselves. */
export const startPostgres = async (): Promise<LocalPostgres> => {
  const { pg: bin, psql } = ensurePackages()
  const dir = mkdtempSync(join(tmpdir(), "ppi-pg-"))
  chmodSync(dir, 0o777)
  const data = join(dir, "data")
  const port = await freePort()
  const password = "admin-test-only"
  writeFileSync(join(dir, "pw"), password)
  chmodSync(join(dir, "pw"), 0o644)
  const unprivileged = (args: ReadonlyArray<string>): [string, Array<string>] =>
    isRoot ? ["runuser", ["-u", "postgres", "--", ...args]] : [args[0] ?? "", args.slice(1)]
  const asPostgres = (args: ReadonlyArray<string>) => execFileSync(...unprivileged(args), { stdio: "ignore" })
  asPostgres([`${bin}/initdb`, "-D", data, "-U", "admin", "--pwfile", join(dir, "pw"), "-A", "scram-sha-256"])
  const server = spawn(
    ...unprivileged([`${bin}/postgres`, "-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-k", dir]),
    { stdio: "ignore" },
  )
  const env = { PGPASSWORD: password }
  await until(
    () =>
      succeeds(psql, ["-h", "127.0.0.1", "-p", String(port), "-U", "admin", "-d", "postgres", "-c", "select 1"], env),
    "PostgreSQL accepts connections",
    200,
  )
  execFileSync(
    psql,
    ["-h", "127.0.0.1", "-p", String(port), "-U", "admin", "-d", "postgres", "-c", "CREATE DATABASE tenants"],
    {
      env: { ...process.env, ...env },
      stdio: "ignore",
    },
  )
  return {
    port,
    database: "tenants",
    admin: { user: "admin", password },
    stop: () => {
      server.kill("SIGINT")
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface RedisAdmin {
  readonly user: string
  readonly password: string
}

export interface RunningRedis {
  readonly port: number
  /** SIGTERM, then wait for the process to exit (Redis flushes its append-only file on the way). */
  readonly stop: () => Promise<void>
}

const redisReady = (port: number, admin: RedisAdmin) =>
  succeeds(ensurePackages().redisCli, [
    "-p",
    String(port),
    "--user",
    admin.user,
    "--pass",
    admin.password,
    "--no-auth-warning",
    "PING",
  ])

/**
 * One redis-server on 127.0.0.1 with the given arguments (after the port and bind), optionally as
 * another user (Debian's `redis`): as root, file permissions would not hold as they do for the
 * cluster's uid 999.
 */
export const launchRedis = async (
  args: ReadonlyArray<string>,
  options: { readonly port: number; readonly admin: RedisAdmin; readonly runAs?: string },
): Promise<RunningRedis> => {
  const { redisServer } = ensurePackages()
  const command = [redisServer, "--port", String(options.port), "--bind", "127.0.0.1", ...args]
  const server = options.runAs
    ? spawn("runuser", ["-u", options.runAs, "--", ...command], { stdio: "ignore" })
    : spawn(redisServer, command.slice(1), { stdio: "ignore" })
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()))
  let gone = false
  void exited.then(() => {
    gone = true
  })
  await until(
    () => {
      if (gone) throw new Error(`redis-server ${args.join(" ")} exited during start`)
      return redisReady(options.port, options.admin)
    },
    "Redis accepts connections",
    200,
  )
  return {
    port: options.port,
    stop: async () => {
      if (!gone) server.kill("SIGTERM")
      await exited
    },
  }
}

export interface LocalRedis {
  readonly port: number
  readonly admin: RedisAdmin
  readonly aclFile: string
  readonly stop: () => void
}

/** redis-server with a writable ACL file holding only an admin user. */
export const startRedis = async (): Promise<LocalRedis> => {
  const dir = mkdtempSync(join(tmpdir(), "ppi-redis-"))
  const port = await freePort()
  const admin = { user: "platform-admin", password: "admin-test-only" }
  const aclFile = join(dir, "users.acl")
  writeFileSync(aclFile, `user ${admin.user} on >${admin.password} ~* &* +@all\nuser default on nopass ~* &* +@all\n`)
  const server = await launchRedis(["--aclfile", aclFile, "--save", "", "--appendonly", "no", "--dir", dir], {
    port,
    admin,
  })
  return {
    port,
    admin,
    aclFile,
    stop: () => {
      void server.stop().then(() => rmSync(dir, { recursive: true, force: true }))
    },
  }
}
