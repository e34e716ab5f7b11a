import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createConnection, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { TierSpecs } from "@ppi/config"
import { REDIS_PROVISION_SCRIPT, redisVariables } from "./redis-provision.ts"
import { REDIS_ACL_INIT_SCRIPT, REDIS_WATCHDOG, redisServerArgs } from "./redis-server.ts"
import { alpineTools, freePort, launchRedis, type RunningRedis } from "./testing/local-servers.ts"
import { until } from "./testing/until.ts"

/**
 * The self-hosted layout as cluster/ deploys it, on a real redis-server running as an
 * unprivileged user (Debian's `redis`, standing in for the pod's uid 999): the `redis-acl` Secret
 * mounted read-only (kubelet's layout: `users.acl -> ..data/users.acl`, `..data -> ..<timestamp>`,
 * root-owned), the data volume owned by the server's user.
 */
const REDIS_USER = "redis"
const uid = Number(spawnSync("id", ["-u", REDIS_USER], { encoding: "utf8" }).stdout.trim())
const gid = Number(spawnSync("id", ["-g", REDIS_USER], { encoding: "utf8" }).stdout.trim())

let root: string
let secretDir: string
let dataDir: string
let port: number
let server: RunningRedis | undefined
const tools = alpineTools()
let admin = { user: "platform-admin", password: "admin-one" }
const acme = { name: "acme", tier: "pro", password: "pw-acme" } as const
/** A free tenant: the smallest memory budget. */
const hobby = { name: "hobby", tier: "free", password: "pw-hobby" } as const
/** An enterprise tenant: its tier may run Lua. */
const globex = { name: "globex", tier: "enterprise", password: "pw-globex" } as const

const writeSecret = (password: string) => {
  const version = join(secretDir, `..${Date.now()}`)
  mkdirSync(version, { mode: 0o755 })
  writeFileSync(join(version, "users.acl"), `user platform-admin on >${password} ~* &* +@all\nuser default off\n`, {
    mode: 0o644,
  })
  rmSync(join(secretDir, "..data"), { force: true })
  symlinkSync(version, join(secretDir, "..data"))
}

const cli = (user: string, password: string, ...command: ReadonlyArray<string>) => {
  const result = spawnSync(
    "redis-cli",
    ["-p", String(port), "--user", user, "--pass", password, "--no-auth-warning", ...command],
    { encoding: "utf8" },
  )
  return `${result.stdout}${result.stderr}`.trim()
}
const asAcme = (...command: ReadonlyArray<string>) => cli("tenant-acme", acme.password, ...command)

const provision = (tenant: typeof acme | typeof globex | typeof hobby = acme) =>
  spawnSync(join(tools, "sh"), ["-c", REDIS_PROVISION_SCRIPT], {
    env: {
      PATH: tools,
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: String(port),
      REDIS_ADMIN_USER: admin.user,
      REDIS_ADMIN_PASSWORD: admin.password,
      TENANT_REDIS_PASSWORD: tenant.password,
      ...redisVariables(tenant),
    },
    encoding: "utf8",
  })

/** The init container: the redis image's busybox sh, as the server's user, the Secret and the volume mounted. */
const initAcl = () => {
  const result = spawnSync(
    "/usr/sbin/runuser",
    ["-u", REDIS_USER, "--", join(tools, "sh"), "-c", REDIS_ACL_INIT_SCRIPT],
    {
      env: { PATH: tools, ACL_SOURCE: join(secretDir, "users.acl"), ACL_FILE: join(dataDir, "users.acl") },
      encoding: "utf8",
    },
  )
  expect(result.stderr).toBe("")
  expect(result.status).toBe(0)
}

const fixedArgs = ({ maxMemoryMiB = 64, maxClients = 100 }: { maxMemoryMiB?: number; maxClients?: number }) =>
  redisServerArgs({ aclFile: join(dataDir, "users.acl"), dataDir, maxMemoryMiB, maxClients })

/** A pod start: the init container, then the server. */
const startPod = async (settings: { maxMemoryMiB?: number; maxClients?: number } = {}) => {
  initAcl()
  server = await launchRedis(fixedArgs(settings), { port, admin, runAs: REDIS_USER })
}
const stopPod = async () => {
  await server?.stop()
  server = undefined
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), "ppi-redis-layout-"))
  chmodSync(root, 0o755)
  secretDir = join(root, "etc-redis")
  mkdirSync(secretDir, { mode: 0o755 })
  writeSecret(admin.password)
  symlinkSync("..data/users.acl", join(secretDir, "users.acl"))
  dataDir = join(root, "data")
  mkdirSync(dataDir, { mode: 0o700 })
  chownSync(dataDir, uid, gid)
  port = await freePort()
}, 60_000)
afterEach(async () => {
  await stopPod()
  admin = { user: "platform-admin", password: "admin-one" }
  rmSync(root, { recursive: true, force: true })
})
afterAll(async () => {
  await stopPod()
  rmSync(tools, { recursive: true, force: true })
})

describe("the self-hosted Redis as cluster/ deploys it", () => {
  it("cannot save tenant users into the Secret's read-only folder, and loses them on restart (why the file is copied)", async () => {
    const secretInPlace = ["--aclfile", join(secretDir, "users.acl"), "--dir", dataDir, "--appendonly", "yes"]
    server = await launchRedis(secretInPlace, { port, admin, runAs: REDIS_USER })
    const result = provision()
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("error trying to save the ACLs")
    expect(asAcme("PING")).toBe("PONG")
    await stopPod()
    server = await launchRedis(secretInPlace, { port, admin, runAs: REDIS_USER })
    expect(asAcme("PING")).toMatch(/WRONGPASS/)
  })

  it("provisions, and keeps the tenant's user and data across a restart of the real server", async () => {
    await startPod()
    const result = provision()
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    expect(asAcme("SET", "acme:session", "kept")).toBe("OK")
    await stopPod()
    await startPod()
    expect(asAcme("GET", "acme:session")).toBe("kept")
    expect(asAcme("GET", "globex:x")).toContain("NOPERM")
    expect(cli("default", "", "PING")).toMatch(/WRONGPASS|NOAUTH|disabled/i)
    // The tenant's password is on the volume only as a hash.
    expect(readFileSync(join(dataDir, "users.acl"), "utf8")).not.toContain(acme.password)
  })

  it("takes the admin from the Secret at every start, so rotating it there works and tenants stay", async () => {
    await startPod()
    expect(provision().status).toBe(0)
    await stopPod()
    writeSecret("admin-two")
    const old = admin.password
    admin = { ...admin, password: "admin-two" }
    await startPod()
    expect(cli(admin.user, old, "PING")).toMatch(/WRONGPASS/)
    expect(cli(admin.user, admin.password, "PING")).toBe("PONG")
    expect(asAcme("PING")).toBe("PONG")
    expect(provision().status).toBe(0)
  })

  it("bounds the whole instance's memory, and one tenant filling it evicts nobody else's keys", async () => {
    await startPod({ maxMemoryMiB: 4 })
    expect(provision().status).toBe(0)
    expect(cli(admin.user, admin.password, "SET", "globex:kept", "g")).toBe("OK")
    const chunk = "x".repeat(64 * 1024)
    let refused = ""
    for (let i = 0; i < 200 && refused === ""; i++) {
      const reply = asAcme("SET", `acme:fill:${i}`, chunk)
      if (reply !== "OK") refused = reply
    }
    expect(refused).toMatch(/OOM command not allowed when used memory > 'maxmemory'/)
    expect(cli(admin.user, admin.password, "GET", "globex:kept")).toBe("g")
    expect(cli(admin.user, admin.password, "CONFIG", "GET", "maxmemory-policy")).toBe("maxmemory-policy\nnoeviction")
  })

  describe("with the watchdog beside it", () => {
    /** Room for acme's budget (pro: 40), globex and the admin, and not much more. */
    const MAX_CLIENTS = 60
    let watchdog: ChildProcess | undefined
    let log = ""
    const asGlobex = (...command: ReadonlyArray<string>) => cli("tenant-globex", globex.password, ...command)
    /** globex starts `script` on a connection of its own and leaves it running. */
    const runForever = (script: string, ...keys: ReadonlyArray<string>) => {
      const client = spawn(
        "redis-cli",
        ["-p", String(port), "--user", "tenant-globex", "--pass", globex.password, "--no-auth-warning"],
        { stdio: ["pipe", "ignore", "ignore"] },
      )
      client.stdin.end(`EVAL "${script}" ${keys.length} ${keys.join(" ")}\n`)
      return client
    }
    const untilLogged = (condition: () => boolean, what: string) =>
      until(condition, what).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${log}`)))

    beforeEach(async () => {
      await startPod({ maxClients: MAX_CLIENTS })
      for (const tenant of [acme, globex, hobby]) expect(provision(tenant).status).toBe(0)
      // The server's default is 5 s before it answers BUSY; shorter here to keep the test quick.
      expect(cli(admin.user, admin.password, "CONFIG", "SET", "busy-reply-threshold", "200")).toBe("OK")
      log = ""
      // Its own process group, so the test can end runuser, the script and its redis-cli together.
      // As in the pod: the alpine image's busybox tools, nothing else.
      watchdog = spawn("/usr/sbin/runuser", ["-u", REDIS_USER, "--", join(tools, "sh"), "-c", REDIS_WATCHDOG], {
        detached: true,
        env: {
          PATH: tools,
          REDIS_PORT: String(port),
          REDIS_ADMIN_USER: admin.user,
          REDIS_ADMIN_PASSWORD: admin.password,
          MAX_SCRIPT_SECONDS: "1",
          MEMORY_CHECK_EVERY: "1",
        },
      })
      watchdog.stdout?.on("data", (chunk) => {
        log += String(chunk)
      })
      await untilLogged(() => log.includes("watchdog: connected"), "the watchdog holds its connection")
    })
    afterEach(() => {
      try {
        if (watchdog?.pid !== undefined) process.kill(-watchdog.pid, "SIGKILL")
      } catch (error) {
        // A watchdog that already ended leaves no group; anything else is a real failure.
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error
      }
    })

    it("kills a script that never returns, so the other tenants get their server back", async () => {
      expect(asAcme("SET", "acme:k", "v")).toBe("OK")
      const client = runForever("while true do end")
      try {
        await untilLogged(() => asAcme("GET", "acme:k").startsWith("BUSY"), "the server answers BUSY")
        await untilLogged(() => asAcme("GET", "acme:k") === "v", "the server answers again")
        await untilLogged(() => log.includes("watchdog: busy for"), "the watchdog reports what it killed")
      } finally {
        client.kill("SIGKILL")
      }
    })

    it("restarts the server when the endless script already wrote, keeping everything written before it", async () => {
      expect(asAcme("SET", "acme:before", "kept")).toBe("OK")
      const client = runForever("redis.call('SET', KEYS[1], 'partial') while true do end", "globex:partial")
      try {
        await untilLogged(() => asAcme("GET", "acme:before").startsWith("BUSY"), "the server answers BUSY")
        await untilLogged(() => !asAcme("PING").startsWith("BUSY") && asAcme("PING") !== "PONG", "the server is gone")
        await untilLogged(() => log.includes("shutting down without saving"), "the watchdog reports the shutdown")
      } finally {
        client.kill("SIGKILL")
      }
      await stopPod()
      await startPod()
      expect(asAcme("GET", "acme:before")).toBe("kept")
      expect(cli(admin.user, admin.password, "EXISTS", "globex:partial")).toBe("0")
      expect(asGlobex("PING")).toBe("PONG")
    })

    /** Opens a raw connection, authenticated as `user` when given; rejects with Redis' refusal. */
    const open = (user?: { readonly name: string; readonly password: string }) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = createConnection({ host: "127.0.0.1", port })
        socket.once("error", reject)
        socket.once("connect", () => {
          if (user === undefined) resolve(socket)
          else socket.write(`AUTH ${user.name} ${user.password}\r\n`)
        })
        socket.once("data", (reply) => {
          if (String(reply).startsWith("+OK")) resolve(socket)
          else {
            socket.destroy()
            reject(new Error(String(reply).trim()))
          }
        })
      })
    const isOpen = (socket: Socket) => !socket.destroyed && socket.readyState === "open"
    let sockets: Array<Socket> = []
    afterEach(() => {
      for (const socket of sockets) socket.destroy()
      sockets = []
    })

    it("closes a tenant's connections beyond its tier's budget, newest first, so the others can connect again", async () => {
      const budget = TierSpecs[acme.tier].redisClients
      const refusals: Array<string> = []
      // acme takes every connection the server has left.
      for (let i = 0; i < MAX_CLIENTS && refusals.length === 0; i++) {
        await open({ name: "tenant-acme", password: acme.password }).then(
          (socket) => {
            socket.on("error", () => undefined)
            sockets.push(socket)
          },
          (error: Error) => refusals.push(error.message),
        )
      }
      expect(sockets.length).toBeGreaterThan(budget)
      await untilLogged(() => sockets.filter(isOpen).length === budget, `acme is back to ${budget} connections`)
      expect(sockets.slice(0, budget).every(isOpen)).toBe(true)
      expect(log).toContain(`of tenant-acme (budget ${budget})`)
      expect(asGlobex("SET", "globex:k", "v")).toBe("OK")
      expect(asGlobex("GET", "globex:k")).toBe("v")
      // The connections acme keeps still work.
      const [oldest] = sockets
      const pong = new Promise((resolve) => oldest?.once("data", (reply) => resolve(String(reply).trim())))
      oldest?.write("PING\r\n")
      expect(await pong).toBe("+PONG")
    })

    it("closes connections that never authenticate, which count against no tenant's budget", async () => {
      for (let i = 0; i < 20; i++) {
        const socket = await open()
        socket.on("error", () => undefined)
        sockets.push(socket)
      }
      const within = await open({ name: "tenant-globex", password: globex.password })
      sockets.push(within)
      await untilLogged(
        () => sockets.slice(0, 20).every((socket) => !isOpen(socket)),
        "the unauthenticated ones are closed",
      )
      expect(isOpen(within)).toBe(true)
      expect(log).toMatch(/closed connection \d+ of default/)
    })

    it("makes a tenant over its memory budget read-only until it frees its keys, and nobody else notices", async () => {
      const asHobby = (...command: ReadonlyArray<string>) => cli("tenant-hobby", hobby.password, ...command)
      const budget = TierSpecs[hobby.tier].redisMemoryMiB * 1024 * 1024
      const chunk = "x".repeat(64 * 1024)
      const keys = Array.from({ length: Math.ceil((budget * 1.1) / chunk.length) }, (_, i) => `hobby:fill:${i}`)
      const filled = spawnSync(
        "redis-cli",
        ["-p", String(port), "--user", "tenant-hobby", "--pass", hobby.password, "--no-auth-warning"],
        { input: keys.map((key) => `SET ${key} ${chunk}\n`).join(""), encoding: "utf8", maxBuffer: 1 << 24 },
      )
      expect(filled.stdout.split("\n").filter((line) => line === "OK")).toHaveLength(keys.length)
      await untilLogged(() => log.includes("tenant-hobby over its memory budget"), "hobby is found over its budget")
      expect(asHobby("SET", "hobby:more", "v")).toContain("NOPERM")
      expect(asHobby("GET", "hobby:fill:0")).toBe(chunk)
      expect(asGlobex("SET", "globex:k", "v")).toBe("OK")
      expect(asAcme("SET", "acme:k", "v")).toBe("OK")
      // Deleting is what brings it back.
      expect(asHobby("DEL", ...keys.slice(0, keys.length / 2))).toBe(String(keys.length / 2))
      await untilLogged(() => log.includes("tenant-hobby back under its memory budget"), "hobby is back under")
      expect(asHobby("SET", "hobby:more", "v")).toBe("OK")
    })
  })
})
