import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Debian's Chromium, headless, its DevTools protocol on 127.0.0.1 only. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium"

interface Pending {
  readonly resolve: (value: Record<string, unknown>) => void
  readonly reject: (error: Error) => void
}

/** One page driven over the DevTools protocol: commands, and every event seen so far. */
export interface Page {
  readonly send: (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>
  readonly events: ReadonlyArray<{ readonly method: string; readonly params: Record<string, unknown> }>
  readonly waitFor: (method: string, timeoutMs?: number) => Promise<Record<string, unknown>>
  readonly close: () => Promise<void>
}

export const launchPage = async (): Promise<Page> => {
  const profile = await mkdtemp(join(tmpdir(), "ppi-chromium-"))
  const browser: ChildProcess = spawn(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  )
  const port = await new Promise<string>((resolve, reject) => {
    let seen = ""
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${seen}`)), 30_000)
    browser.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString()
      const match = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    browser.on("exit", (code) => reject(new Error(`chromium exited (${code}):\n${seen}`)))
  })
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as ReadonlyArray<{
    type: string
    webSocketDebuggerUrl: string
  }>
  const target = targets.find((t) => t.type === "page")
  if (target === undefined) throw new Error("chromium has no page")
  const socket = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true })
    socket.addEventListener("error", reject, { once: true })
  })
  let nextId = 1
  const pending = new Map<number, Pending>()
  const events: Array<{ method: string; params: Record<string, unknown> }> = []
  const waiters: Array<{ method: string; resolve: (params: Record<string, unknown>) => void }> = []
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(String(message.data)) as {
      id?: number
      result?: Record<string, unknown>
      error?: { message: string }
      method?: string
      params?: Record<string, unknown>
    }
    if (data.id !== undefined) {
      const call = pending.get(data.id)
      pending.delete(data.id)
      if (data.error) call?.reject(new Error(data.error.message))
      else call?.resolve(data.result ?? {})
    } else if (data.method) {
      events.push({ method: data.method, params: data.params ?? {} })
      for (let index = waiters.length - 1; index >= 0; index--)
        if (waiters[index]?.method === data.method) waiters.splice(index, 1)[0]?.resolve(data.params ?? {})
    }
  })
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve, reject })
        socket.send(JSON.stringify({ id, method, params }))
      }),
    events,
    waitFor: (method, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs)
        waiters.push({
          method,
          resolve: (params) => {
            clearTimeout(timer)
            resolve(params)
          },
        })
      }),
    close: async () => {
      socket.close()
      browser.kill()
      await new Promise((resolve) => (browser.exitCode === null ? browser.once("exit", resolve) : resolve(null)))
      await rm(profile, { recursive: true, force: true })
    },
  }
}
