import { createPublicKey, randomBytes, verify } from "node:crypto"

/** A GitHub App installed on the fake's repository: who it is and the key its JWTs are checked with. */
export interface FakeApp {
  readonly clientId: string
  /** PEM (SPKI) of the App's key pair; the workflow holds the private half as a secret. */
  readonly publicKey: string
  readonly slug: string
}

/** An installation token the fake issued, with what it was scoped to. */
export interface IssuedToken {
  readonly token: string
  readonly permissions: Readonly<Record<string, string>> | undefined
  readonly repositories: ReadonlyArray<string> | undefined
}

const INSTALLATION_ID = 4242

const decodePart = (part: string | undefined): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8")) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/**
 * Whether `jwt` is what GitHub accepts as the App's: RS256, signed by its key, issued by its client
 * id, not expired, and living at most ten minutes. Returns why not, or undefined when it is.
 */
const refusal = (app: FakeApp, jwt: string): string | undefined => {
  const [header, payload, signature] = jwt.split(".")
  const head = decodePart(header)
  const claims = decodePart(payload)
  if (head?.alg !== "RS256" || claims === undefined || signature === undefined)
    return "A JSON web token could not be decoded"
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    createPublicKey(app.publicKey),
    Buffer.from(signature, "base64url"),
  )
  if (!signed) return "the JSON web token is not signed by the App's key"
  const now = Math.floor(Date.now() / 1000)
  if (String(claims.iss) !== app.clientId) return "'Issuer' claim ('iss') is not this App"
  if (typeof claims.exp !== "number" || claims.exp <= now) return "'Expiration time' claim ('exp') is in the past"
  if (typeof claims.iat !== "number" || claims.exp - claims.iat > 600)
    return "'Expiration time' claim ('exp') is too far in the future"
  return undefined
}

/**
 * The two App routes `actions/create-github-app-token` calls: the repository's installation, and
 * an installation token (scoped to the repositories and permissions asked for). Both need the
 * App's JWT. Answers `undefined` for any other route.
 */
export const appRoute = (
  app: FakeApp | undefined,
  issued: Array<IssuedToken>,
  request: { readonly method: string; readonly path: string; readonly token: string | undefined },
  body: Record<string, unknown> | undefined,
): { readonly status: number; readonly body: unknown } | undefined => {
  const installation = /^\/repos\/([^/]+)\/[^/]+\/installation$/.exec(request.path)
  const tokens = new RegExp(`^/app/installations/${INSTALLATION_ID}/access_tokens$`).test(request.path)
  if (!(installation && request.method === "GET") && !(tokens && request.method === "POST")) return undefined
  if (app === undefined) return { status: 404, body: { message: "Not Found" } }
  const why = refusal(app, request.token ?? "")
  if (why !== undefined) return { status: 401, body: { message: why } }
  if (installation)
    return {
      status: 200,
      body: { id: INSTALLATION_ID, app_slug: app.slug, account: { login: installation[1] } },
    }
  const token: IssuedToken = {
    token: `ghs_${randomBytes(18).toString("hex")}`,
    permissions: body?.permissions as Record<string, string> | undefined,
    repositories: body?.repositories as ReadonlyArray<string> | undefined,
  }
  issued.push(token)
  return {
    status: 201,
    body: {
      token: token.token,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      permissions: token.permissions ?? { contents: "write", pull_requests: "write", metadata: "read" },
    },
  }
}
