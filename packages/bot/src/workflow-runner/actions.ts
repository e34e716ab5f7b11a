import { execFile } from "node:child_process"
import { createPrivateKey, sign } from "node:crypto"
import { cp, mkdir, stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

/** What an action step sees: its `with:` (expressions resolved) and where the job runs. */
export interface ActionCall {
  readonly with: Readonly<Record<string, string>>
  readonly workspace: string
  /** The bare repository standing in for github.com/<repository>. */
  readonly remote: string
  /** The ref and commit a checkout without `ref:` takes (the event's GITHUB_REF / GITHUB_SHA). */
  readonly ref: string
  readonly sha: string
  readonly token: string
  /** This run's folder in the local artifact store. */
  readonly artifacts: string
  /** `owner/name` of the repository the workflow runs in. */
  readonly repository: string
  /** The GitHub API stand-in (`github.api_url`). */
  readonly apiUrl: string
}

/** An action's local equivalent: resolves to its outputs, rejects when the action would fail. */
type LocalAction = (call: ActionCall) => Promise<Readonly<Record<string, string>>>

const KNOWN_WITH: Readonly<Record<string, ReadonlyArray<string>>> = {
  "actions/checkout": ["ref", "path", "persist-credentials", "sparse-checkout"],
  "actions/upload-artifact": ["name", "path", "retention-days", "if-no-files-found"],
  "actions/download-artifact": ["name", "path"],
  "actions/cache": ["path", "key", "restore-keys"],
  "actions/create-github-app-token": [
    "client-id",
    "app-id",
    "private-key",
    "permission-contents",
    "permission-pull-requests",
    "permission-metadata",
  ],
}

/**
 * checkout: `git fetch` of the ref from the local bare repository into the (empty) target folder,
 * then a detached checkout, as actions/checkout does. Without `ref:` it takes the event's commit.
 * A ref that does not exist fails the step. persist-credentials (the default) leaves the token in
 * the checkout's git config as the action does; `false` leaves none. `sparse-checkout` checks out
 * only the listed folders (and the top-level files), as the action's cone mode does.
 */
const checkout: LocalAction = async (call) => {
  const dest = resolve(call.workspace, call.with.path ?? "")
  await mkdir(dest, { recursive: true })
  const git = (...args: ReadonlyArray<string>) => run("git", args, { cwd: dest })
  await git("init", "--quiet")
  const ref = call.with.ref
  const refspec =
    ref === undefined || ref === ""
      ? call.ref
      : ref.startsWith("refs/") || /^[0-9a-f]{40}$/.test(ref)
        ? ref
        : `refs/heads/${ref}`
  await git("fetch", "--quiet", "--no-tags", "--depth=1", call.remote, refspec)
  // sparse-checkout (cone mode, as the action uses it): the top-level files and the listed folders.
  const sparse = (call.with["sparse-checkout"] ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
  if (sparse.length > 0) await git("sparse-checkout", "set", "--cone", ...sparse)
  await git("checkout", "--quiet", "--detach", ref === undefined || ref === "" ? call.sha : "FETCH_HEAD")
  if (call.with["persist-credentials"] !== "false") {
    const basic = Buffer.from(`x-access-token:${call.token}`).toString("base64")
    await git("config", "--local", "http.https://github.com/.extraheader", `AUTHORIZATION: basic ${basic}`)
  }
  return {}
}

/** upload-artifact: copies `path` (a folder's contents, or one file) to <store>/<run>/<name>/. */
const uploadArtifact: LocalAction = async (call) => {
  const name = call.with.name ?? "artifact"
  const source = resolve(call.workspace, call.with.path ?? "")
  const target = join(call.artifacts, name)
  if (await stat(target).catch(() => undefined)) throw new Error(`an artifact named ${name} already exists in this run`)
  const found = await stat(source).catch(() => undefined)
  if (found === undefined) {
    if (call.with["if-no-files-found"] === "error") throw new Error(`no files at ${call.with.path}`)
    return {}
  }
  await mkdir(target, { recursive: true })
  await cp(source, found.isDirectory() ? target : join(target, source.split("/").pop() ?? "file"), {
    recursive: true,
  })
  return {}
}

/** download-artifact: copies <store>/<run>/<name>/ into `path` (default: the workspace). */
const downloadArtifact: LocalAction = async (call) => {
  const source = join(call.artifacts, call.with.name ?? "")
  if (!(await stat(source).catch(() => undefined))) throw new Error(`no artifact named ${call.with.name}`)
  const target = resolve(call.workspace, call.with.path ?? "")
  await mkdir(target, { recursive: true })
  await cp(source, target, { recursive: true })
  return {}
}

/** cache: always a miss (a cold cache), so the steps after it must work without one. */
const cache: LocalAction = async (call) => {
  if (!call.with.path || !call.with.key) throw new Error("actions/cache needs path and key")
  return { "cache-hit": "false" }
}

/** A GitHub App's JWT: RS256, issued by the App, backdated a minute for clock drift, ten minutes long. */
const appJwt = (issuer: string, privateKey: string) => {
  const now = Math.floor(Date.now() / 1000)
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
  const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part({ iat: now - 60, exp: now + 540, iss: issuer })}`
  // Secrets pasted with literal "\n" work in the action too.
  const key = createPrivateKey(privateKey.replace(/\\n/g, "\n"))
  return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), key).toString("base64url")}`
}

const api = async (url: string, jwt: string, init: { method: string; body?: unknown }) => {
  const response = await fetch(url, {
    method: init.method,
    headers: { authorization: `Bearer ${jwt}`, accept: "application/vnd.github+json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (!response.ok) throw new Error(`${init.method} ${url}: ${response.status} ${String(body.message ?? "")}`)
  return body
}

/**
 * create-github-app-token: what the action does for the current repository (no `owner` or
 * `repositories`): the App's JWT finds the repository's installation, then buys an installation
 * token for this repository only, narrowed to the `permission-*` inputs. Outputs `token`,
 * `installation-id` and `app-slug`. The action's post step (revoking the token) is not modelled.
 */
const createAppToken: LocalAction = async (call) => {
  const issuer = call.with["client-id"] || call.with["app-id"]
  if (!issuer) throw new Error("Either 'client-id' or 'app-id' input must be set")
  const privateKey = call.with["private-key"]
  if (!privateKey) throw new Error("Input required and not supplied: private-key")
  const [owner, repo] = call.repository.split("/")
  const jwt = appJwt(issuer, privateKey)
  const installation = await api(`${call.apiUrl}/repos/${owner}/${repo}/installation`, jwt, { method: "GET" })
  const permissions = Object.fromEntries(
    Object.entries(call.with)
      .filter(([key]) => key.startsWith("permission-"))
      .map(([key, level]) => [key.slice("permission-".length).replaceAll("-", "_"), level]),
  )
  const minted = await api(`${call.apiUrl}/app/installations/${String(installation.id)}/access_tokens`, jwt, {
    method: "POST",
    body: { repositories: [repo], ...(Object.keys(permissions).length > 0 ? { permissions } : {}) },
  })
  return {
    token: String(minted.token),
    "installation-id": String(installation.id),
    "app-slug": String(installation.app_slug),
  }
}

const ACTIONS: Readonly<Record<string, LocalAction>> = {
  "actions/checkout": checkout,
  "actions/upload-artifact": uploadArtifact,
  "actions/download-artifact": downloadArtifact,
  "actions/cache": cache,
  "actions/create-github-app-token": createAppToken,
}

/** The local equivalent of `uses: owner/name@ref`; an action without one is an error (the test fails). */
export const localAction = (uses: string, withKeys: ReadonlyArray<string>): LocalAction => {
  const name = uses.split("@")[0] ?? uses
  const action = ACTIONS[name]
  if (action === undefined)
    throw new Error(`the workflow runner has no local equivalent of ${uses}: add one to workflow-runner/actions.ts`)
  const unknown = withKeys.filter((key) => !(KNOWN_WITH[name] ?? []).includes(key))
  if (unknown.length > 0) throw new Error(`${name}: the local equivalent does not model with: ${unknown.join(", ")}`)
  return action
}
