import { readFileSync } from "node:fs"
import { request } from "node:https"
import { ARGOCD_NAMESPACE } from "@ppi/config"
import { Context, Effect, Layer, Schema } from "effect"

/** What the rollout gate reads of one Argo CD Application. */
export interface AppHealth {
  readonly name: string
  readonly exists: boolean
  readonly sync?: string
  readonly revision?: string
  readonly health?: string
  readonly healthMessage?: string
  readonly operation?: string
  readonly operationMessage?: string
  /** When its last sync operation finished (ISO 8601). */
  readonly finishedAt?: string
}

export class ArgoUnreadable extends Schema.TaggedError<ArgoUnreadable>()("ArgoUnreadable", {
  detail: Schema.String,
}) {
  override get message(): string {
    return `cannot read Argo CD's Applications: ${this.detail}`
  }
}

const Application = Schema.Struct({
  metadata: Schema.Struct({ name: Schema.String }),
  status: Schema.optionalKey(
    Schema.Struct({
      sync: Schema.optionalKey(
        Schema.Struct({ status: Schema.optionalKey(Schema.String), revision: Schema.optionalKey(Schema.String) }),
      ),
      health: Schema.optionalKey(
        Schema.Struct({ status: Schema.optionalKey(Schema.String), message: Schema.optionalKey(Schema.String) }),
      ),
      operationState: Schema.optionalKey(
        Schema.Struct({
          phase: Schema.optionalKey(Schema.String),
          message: Schema.optionalKey(Schema.String),
          finishedAt: Schema.optionalKey(Schema.String),
        }),
      ),
    }),
  ),
})
const ApplicationList = Schema.Struct({ items: Schema.Array(Application) })

/** An Application object (as the Kubernetes API returns it) → what the gate reads. */
const appHealthOf = (name: string, object: typeof Application.Type | undefined): AppHealth => {
  const status = object?.status
  return {
    name,
    exists: object !== undefined,
    ...(status?.sync?.status ? { sync: status.sync.status } : {}),
    ...(status?.sync?.revision ? { revision: status.sync.revision } : {}),
    ...(status?.health?.status ? { health: status.health.status } : {}),
    ...(status?.health?.message ? { healthMessage: status.health.message } : {}),
    ...(status?.operationState?.phase ? { operation: status.operationState.phase } : {}),
    ...(status?.operationState?.message ? { operationMessage: status.operationState.message } : {}),
    ...(status?.operationState?.finishedAt ? { finishedAt: status.operationState.finishedAt } : {}),
  }
}

export interface KubernetesAccess {
  /** The API server, `https://host:port`. */
  readonly server: string
  /** PEM files: the server's CA, and a client certificate and key (or a bearer token). */
  readonly ca?: string
  readonly cert?: string
  readonly key?: string
  readonly token?: string
}

const getJson = (access: KubernetesAccess, path: string) =>
  Effect.callback<unknown, ArgoUnreadable>((resume) => {
    const url = new URL(path, access.server)
    const req = request(
      url,
      {
        method: "GET",
        ...(access.ca ? { ca: readFileSync(access.ca) } : {}),
        ...(access.cert ? { cert: readFileSync(access.cert) } : {}),
        ...(access.key ? { key: readFileSync(access.key) } : {}),
        headers: {
          accept: "application/json",
          ...(access.token ? { authorization: `Bearer ${access.token}` } : {}),
        },
      },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8")
          if ((response.statusCode ?? 0) !== 200)
            return resume(
              Effect.fail(
                new ArgoUnreadable({ detail: `GET ${path} → ${response.statusCode}: ${text.slice(0, 500)}` }),
              ),
            )
          try {
            resume(Effect.succeed(JSON.parse(text) as unknown))
          } catch (error) {
            resume(Effect.fail(new ArgoUnreadable({ detail: `GET ${path}: not JSON (${error})` })))
          }
        })
      },
    )
    req.on("error", (error) => resume(Effect.fail(new ArgoUnreadable({ detail: `GET ${path}: ${error.message}` }))))
    req.end()
    return Effect.sync(() => req.destroy())
  })

/** Argo CD's view of the fleet's Applications. Production and the e2e read the Kubernetes API. */
export class ArgoApplications extends Context.Service<
  ArgoApplications,
  { readonly read: (names: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<AppHealth>, ArgoUnreadable> }
>()("@ppi/bot/ArgoApplications") {
  /** One list request per read: every Application in Argo CD's namespace, the named ones kept. */
  static readonly kubernetes = (access: KubernetesAccess) =>
    Layer.succeed(ArgoApplications, {
      read: (names) =>
        getJson(access, `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications`).pipe(
          Effect.flatMap((body) =>
            Schema.decodeUnknownEffect(ApplicationList)(body).pipe(
              Effect.mapError(
                (error) => new ArgoUnreadable({ detail: `unexpected Application list: ${error.message}` }),
              ),
            ),
          ),
          Effect.map((list) => {
            const byName = new Map(list.items.map((item) => [item.metadata.name, item]))
            return names.map((name) => appHealthOf(name, byName.get(name)))
          }),
        ),
    })
}
