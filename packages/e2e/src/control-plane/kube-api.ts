import { readFileSync } from "node:fs"
import { request as httpsRequest } from "node:https"
import type { KubeObject } from "@ppi/policy"
import { Context, Effect, Schema } from "effect"

/** A Kubernetes object as plain JSON: the same shape the synth writes and the policy checks. */
export type { KubeObject } from "@ppi/policy"

export class KubeApiError extends Schema.TaggedError<KubeApiError>()("KubeApiError", {
  method: Schema.String,
  path: Schema.String,
  status: Schema.Number,
  reason: Schema.String,
  detail: Schema.String,
  /** The socket error, when the server was not reached. */
  cause: Schema.optional(Schema.Defect()),
}) {
  override get message(): string {
    return `${this.method} ${this.path} → ${this.status} ${this.reason}: ${this.detail}`
  }
}

export interface ObjectRef {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace?: string | undefined
}

interface ApiResource {
  readonly name: string
  readonly kind: string
  readonly namespaced: boolean
}

/** A client for one API server over mutual TLS: raw requests, discovery, server-side apply. */
export class KubeApi extends Context.Service<
  KubeApi,
  {
    readonly server: string
    readonly request: (
      method: string,
      path: string,
      body?: string,
      contentType?: string,
    ) => Effect.Effect<unknown, KubeApiError>
    /** Server-side apply with strict field validation: an unknown or misspelt field is an error, not pruned. */
    readonly apply: (object: KubeObject, fieldManager?: string) => Effect.Effect<KubeObject, KubeApiError>
    /** Whether the server serves `kind` as a namespaced resource (discovery). */
    readonly namespaced: (apiVersion: string, kind: string) => Effect.Effect<boolean, KubeApiError>
    readonly get: (ref: ObjectRef) => Effect.Effect<KubeObject | undefined, KubeApiError>
    readonly list: (
      apiVersion: string,
      kind: string,
      namespace?: string,
    ) => Effect.Effect<ReadonlyArray<KubeObject>, KubeApiError>
    readonly create: (object: KubeObject) => Effect.Effect<KubeObject, KubeApiError>
    /** JSON merge patch. */
    readonly patch: (ref: ObjectRef, patch: unknown) => Effect.Effect<KubeObject, KubeApiError>
    readonly remove: (ref: ObjectRef) => Effect.Effect<void, KubeApiError>
  }
>()("@ppi/e2e/KubeApi") {}

export interface Credentials {
  readonly server: string
  readonly ca: string
  readonly cert: string
  readonly key: string
}

const FIELD_MANAGER = "ppi-e2e"

/** A response as the call's result: its JSON (or text) on 2xx, else a `KubeApiError` with the server's reason. */
const outcomeOf = (
  method: string,
  path: string,
  status: number,
  text: string,
): Effect.Effect<unknown, KubeApiError> => {
  const parsed = (() => {
    try {
      return JSON.parse(text) as unknown
    } catch {
      return text
    }
  })()
  if (status >= 200 && status < 300) return Effect.succeed(parsed)
  const failure = (typeof parsed === "object" && parsed !== null ? parsed : {}) as { reason?: string; message?: string }
  return Effect.fail(
    new KubeApiError({
      method,
      path,
      status,
      reason: failure.reason ?? "",
      detail: failure.message ?? text.slice(0, 2000),
    }),
  )
}

const objectRefOf = (object: KubeObject): ObjectRef => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  name: object.metadata.name,
  namespace: object.metadata.namespace,
})

/** One HTTPS call to the API server with the client certificate: the parsed JSON body, or a `KubeApiError`. */
const requestWith = (credentials: Credentials) => {
  const url = new URL(credentials.server)
  const tls = {
    ca: readFileSync(credentials.ca),
    cert: readFileSync(credentials.cert),
    key: readFileSync(credentials.key),
  }
  const request = (method: string, path: string, body?: string, contentType = "application/json") =>
    Effect.callback<unknown, KubeApiError>((resume) => {
      const req = httpsRequest(
        {
          ...tls,
          host: url.hostname,
          port: url.port,
          method,
          path,
          // An explicit length: a chunked body on a kept-alive connection confuses the next request.
          headers: {
            accept: "application/json",
            ...(body === undefined
              ? {}
              : { "content-type": contentType, "content-length": String(Buffer.byteLength(body)) }),
          },
        },
        (response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) => chunks.push(chunk))
          response.on("end", () => {
            resume(outcomeOf(method, path, response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8")))
          })
        },
      )
      req.on("error", (error) =>
        resume(
          Effect.fail(
            new KubeApiError({ method, path, status: 0, reason: "Unreachable", detail: error.message, cause: error }),
          ),
        ),
      )
      req.end(body)
      return Effect.sync(() => req.destroy())
    })
  return request
}

type Request = ReturnType<typeof requestWith>

/** Paths of kinds and objects, from the server's discovery documents. */
const discoveryWith = (request: Request) => {
  // Discovery per group-version, refreshed on a miss (a CRD may have been installed meanwhile).
  const discovered = new Map<string, ReadonlyArray<ApiResource>>()
  const groupVersionPath = (apiVersion: string) =>
    apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`
  const resourceOf = (apiVersion: string, kind: string) =>
    Effect.gen(function* () {
      const find = () =>
        discovered.get(apiVersion)?.find((resource) => resource.kind === kind && !resource.name.includes("/"))
      if (!find()) {
        const list = (yield* request("GET", groupVersionPath(apiVersion))) as { resources: ReadonlyArray<ApiResource> }
        discovered.set(apiVersion, list.resources)
      }
      const resource = find()
      if (!resource)
        return yield* new KubeApiError({
          method: "GET",
          path: groupVersionPath(apiVersion),
          status: 404,
          reason: "NotFound",
          detail: `the server serves no kind ${kind} in ${apiVersion}`,
        })
      return resource
    })

  const collectionPath = (apiVersion: string, kind: string, namespace: string | undefined) =>
    resourceOf(apiVersion, kind).pipe(
      Effect.map(
        (resource) =>
          `${groupVersionPath(apiVersion)}${resource.namespaced && namespace ? `/namespaces/${namespace}` : ""}/${resource.name}`,
      ),
    )
  const objectPath = (ref: ObjectRef) =>
    collectionPath(ref.apiVersion, ref.kind, ref.namespace).pipe(Effect.map((path) => `${path}/${ref.name}`))
  return { resourceOf, collectionPath, objectPath }
}

export const makeKubeApi = (credentials: Credentials): KubeApi["Service"] => {
  const request = requestWith(credentials)
  const { resourceOf, collectionPath, objectPath } = discoveryWith(request)
  return {
    server: credentials.server,
    request,
    apply: (object, fieldManager = FIELD_MANAGER) =>
      objectPath(objectRefOf(object)).pipe(
        Effect.flatMap((path) =>
          request(
            "PATCH",
            `${path}?fieldManager=${fieldManager}&force=true&fieldValidation=Strict`,
            JSON.stringify(object),
            "application/apply-patch+yaml",
          ),
        ),
        Effect.map((applied) => applied as KubeObject),
      ),
    namespaced: (apiVersion, kind) => resourceOf(apiVersion, kind).pipe(Effect.map((resource) => resource.namespaced)),
    get: (ref) =>
      objectPath(ref).pipe(
        Effect.flatMap((path) => request("GET", path)),
        Effect.map((object) => object as KubeObject | undefined),
        Effect.catchTag("KubeApiError", (error) =>
          error.status === 404 && error.reason === "NotFound" && !error.detail.startsWith("the server serves no kind")
            ? Effect.succeed(undefined)
            : Effect.fail(error),
        ),
      ),
    list: (apiVersion, kind, namespace) =>
      collectionPath(apiVersion, kind, namespace).pipe(
        Effect.flatMap((path) => request("GET", path)),
        Effect.map((list) => (list as { items: ReadonlyArray<KubeObject> }).items),
      ),
    create: (object) =>
      collectionPath(object.apiVersion, object.kind, object.metadata.namespace).pipe(
        Effect.flatMap((path) => request("POST", `${path}?fieldValidation=Strict`, JSON.stringify(object))),
        Effect.map((created) => created as KubeObject),
      ),
    patch: (ref, patch) =>
      objectPath(ref).pipe(
        Effect.flatMap((path) => request("PATCH", path, JSON.stringify(patch), "application/merge-patch+json")),
        Effect.map((patched) => patched as KubeObject),
      ),
    remove: (ref) =>
      objectPath(ref).pipe(
        // Dependents (a Job's pods) go with it, in the background, as kubectl does.
        Effect.flatMap((path) =>
          request(
            "DELETE",
            path,
            JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" }),
          ),
        ),
        Effect.asVoid,
      ),
  }
}

/** What the API server answers an apply: "admitted", or the refusal's detail (an admission policy's message). */
export const admissionAnswer = (object: KubeObject): Effect.Effect<string, never, KubeApi> =>
  Effect.gen(function* () {
    const kube = yield* KubeApi
    return yield* kube.apply(object).pipe(
      Effect.as("admitted"),
      Effect.catchTag("KubeApiError", (error) => Effect.succeed(error.detail)),
    )
  })
