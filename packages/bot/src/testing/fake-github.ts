import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"
import { GitHub } from "../github.ts"
import { appRoute, type FakeApp, type IssuedToken } from "./fake-github-app.ts"

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly body: Record<string, unknown> | undefined
  /** The credential of the Authorization header (`token X` / `Bearer X`), if any. */
  readonly token: string | undefined
}

/**
 * A small stand-in for the GitHub REST API on 127.0.0.1, enough for issue comments, refs,
 * contents and pull requests, and, with `app`, a GitHub App's installation tokens. It records
 * every request (with its credential) so tests assert what the bot sent, and as whom.
 * With `refuseWith`, it answers every request with that status and a message that echoes the
 * credentials it received, as a broken proxy or API might: what the bot prints must not carry them.
 */
export const startFakeGitHub = async (
  seed: {
    readonly files?: Readonly<Record<string, string>>
    readonly app?: FakeApp
    readonly refuseWith?: number
  } = {},
) => {
  const requests: Array<RecordedRequest> = []
  const issuedTokens: Array<IssuedToken> = []
  /** Every issue comment by id; `issue` is the PR it was posted on (7 when a test seeds one without). */
  const comments = new Map<number, { id: number; body: string; issue?: number }>()
  const branches = new Map<string, Map<string, string>>([["main", new Map(Object.entries(seed.files ?? {}))]])
  const pulls: Array<{
    number: number
    head: string
    base: string
    title: string
    html_url: string
    state: string
    /** The head commit; the owner of the head repository is `owner` unless a test says otherwise. */
    sha?: string
    owner?: string
  }> = []
  let nextId = 1000

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { "content-type": "application/json" })
    res.end(body === undefined ? "" : JSON.stringify(body))
  }
  const readBody = (req: IncomingMessage) =>
    new Promise<Record<string, unknown> | undefined>((resolve) => {
      let data = ""
      req.on("data", (chunk) => (data += chunk))
      req.on("end", () => resolve(data === "" ? undefined : (JSON.parse(data) as Record<string, unknown>)))
    })

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const body = await readBody(req)
    const method = req.method ?? "GET"
    const path = decodeURIComponent(url.pathname)
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]
    requests.push({ method, path, body, token })
    if (seed.refuseWith !== undefined)
      return send(res, seed.refuseWith, { message: `Bad credentials: ${req.headers.authorization ?? "none"}` })
    const app = appRoute(seed.app, issuedTokens, { method, path, token }, body)
    if (app !== undefined) return send(res, app.status, app.body)
    const route0 = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(path)
    if (route0) {
      const issue = Number(route0[1])
      if (method === "GET")
        return send(
          res,
          200,
          [...comments.values()].filter((comment) => (comment.issue ?? 7) === issue).sort((a, b) => a.id - b.id),
        )
      const comment = { id: nextId++, body: String(body?.body), issue }
      comments.set(comment.id, comment)
      return send(res, 201, comment)
    }
    const route1 = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path)
    if (route1) {
      const id = Number(route1[1])
      if (method === "DELETE") return comments.delete(id) ? send(res, 204) : send(res, 404, { message: "Not Found" })
      const existing = comments.get(id)
      if (existing === undefined) return send(res, 404, { message: "Not Found" })
      const comment = { ...existing, body: String(body?.body) }
      comments.set(id, comment)
      return send(res, 200, comment)
    }
    const route2 = /^\/repos\/[^/]+\/[^/]+\/git\/ref\/heads\/(.+)$/.exec(path)
    if (route2) {
      return branches.has(route2[1] ?? "")
        ? send(res, 200, { object: { sha: `sha-${route2[1]}` } })
        : send(res, 404, { message: "Not Found" })
    }
    if (/^\/repos\/[^/]+\/[^/]+\/git\/refs$/.test(path)) {
      const name = String(body?.ref).replace("refs/heads/", "")
      if (branches.has(name)) return send(res, 422, { message: "Reference already exists" })
      branches.set(name, new Map(branches.get("main")))
      return send(res, 201, { ref: body?.ref })
    }
    const route3 = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(path)
    if (route3) {
      const file = decodeURIComponent(route3[1] ?? "")
      const branch = method === "GET" ? (url.searchParams.get("ref") ?? "main") : String(body?.branch)
      const files = branches.get(branch)
      if (files === undefined) return send(res, 404, { message: "No branch" })
      if (method === "GET") {
        const content = files.get(file)
        return content === undefined
          ? send(res, 404, { message: "Not Found" })
          : send(res, 200, {
              type: "file",
              sha: `blob-${content.length}`,
              content: Buffer.from(content).toString("base64"),
              encoding: "base64",
            })
      }
      files.set(file, Buffer.from(String(body?.content), "base64").toString("utf8"))
      return send(res, 201, { content: { path: file } })
    }
    if (/^\/repos\/[^/]+\/[^/]+\/pulls$/.test(path)) {
      if (method === "GET") {
        const [owner, head] = (url.searchParams.get("head") ?? "").split(":")
        return send(
          res,
          200,
          pulls
            .filter((pull) => pull.head === head && (pull.owner ?? owner) === owner && pull.state === "open")
            .map((pull) => ({ ...pull, head: { ref: pull.head, sha: pull.sha ?? "" } })),
        )
      }
      const number = pulls.length + 1
      const pull = {
        number,
        head: String(body?.head),
        base: String(body?.base),
        title: String(body?.title),
        html_url: `https://github.test/pull/${number}`,
        state: "open",
      }
      pulls.push(pull)
      return send(res, 201, { ...pull, head: { ref: pull.head } })
    }
    return send(res, 404, { message: `no route ${method} ${path}` })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    issuedTokens,
    comments,
    branches,
    pulls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type FakeGitHubServer = Awaited<ReturnType<typeof startFakeGitHub>>

/**
 * A fresh fake GitHub for the scope that provides it (one test, or a `layer(…)` suite), closed with
 * it; with it, the `GitHub` client pointed at it (as `owner/repo`), so a test yields the fake to seed
 * it and assert what it received.
 */
export class FakeGitHub extends Context.Service<FakeGitHub, FakeGitHubServer>()("@ppi/bot/testing/FakeGitHub") {
  static readonly layer = (
    options: {
      readonly files?: Readonly<Record<string, string>>
      readonly refuseWith?: number
      readonly owner?: string
      readonly repo?: string
    } = {},
  ): Layer.Layer<FakeGitHub | GitHub> =>
    Layer.unwrap(
      FakeGitHub.useSync((fake) =>
        GitHub.layer({
          token: "test",
          owner: options.owner ?? "acme",
          repo: options.repo ?? "infra",
          baseUrl: fake.baseUrl,
        }),
      ),
    ).pipe(
      Layer.provideMerge(
        Layer.effect(
          FakeGitHub,
          Effect.acquireRelease(
            Effect.promise(() =>
              startFakeGitHub({
                files: options.files ?? {},
                ...(options.refuseWith === undefined ? {} : { refuseWith: options.refuseWith }),
              }),
            ),
            (fake) => Effect.promise(fake.close),
          ),
        ),
      ),
    )
}

/** The writes the fake received, as `METHOD /path`: what a test asserts the bot changed. */
export const writesTo = (fake: FakeGitHubServer): ReadonlyArray<string> =>
  fake.requests.filter((request) => request.method !== "GET").map((request) => `${request.method} ${request.path}`)
