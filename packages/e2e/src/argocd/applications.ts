import { ARGOCD_NAMESPACE } from "@ppi/config"
import { Duration, Effect, Schema } from "effect"
import { KubeApi } from "../control-plane/kube-api.ts"

/** The parts of an Application's status the scenario reads. */
export interface AppState {
  readonly name: string
  readonly exists: boolean
  readonly sync?: string
  readonly revision?: string
  readonly health?: string
  readonly healthMessage?: string
  readonly operation?: string
  readonly operationMessage?: string
  /** Per-object messages of the last sync operation (why an object was refused, for one). */
  readonly syncMessages: ReadonlyArray<string>
  readonly conditions: ReadonlyArray<{ readonly type: string; readonly message: string }>
  readonly resources: ReadonlyArray<{
    readonly kind: string
    readonly name: string
    readonly namespace?: string
    readonly status?: string
    readonly health?: { readonly status?: string; readonly message?: string }
  }>
}

interface ApplicationStatus {
  readonly sync?: { readonly status?: string; readonly revision?: string }
  readonly health?: { readonly status?: string; readonly message?: string }
  readonly operationState?: {
    readonly phase?: string
    readonly message?: string
    readonly syncResult?: { readonly resources?: ReadonlyArray<{ readonly message?: string }> }
  }
  readonly conditions?: AppState["conditions"]
  readonly resources?: AppState["resources"]
}

const ref = (name: string) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  namespace: ARGOCD_NAMESPACE,
  name,
})

const appState = (name: string) =>
  KubeApi.use((kube) => kube.get(ref(name))).pipe(
    Effect.map((app): AppState => {
      const status = (app?.status ?? {}) as ApplicationStatus
      return {
        name,
        exists: app !== undefined,
        ...(status.sync?.status ? { sync: status.sync.status } : {}),
        ...(status.sync?.revision ? { revision: status.sync.revision } : {}),
        ...(status.health?.status ? { health: status.health.status } : {}),
        ...(status.health?.message ? { healthMessage: status.health.message } : {}),
        ...(status.operationState?.phase ? { operation: status.operationState.phase } : {}),
        ...(status.operationState?.message ? { operationMessage: status.operationState.message } : {}),
        syncMessages: (status.operationState?.syncResult?.resources ?? []).flatMap((resource) =>
          resource.message ? [resource.message] : [],
        ),
        conditions: status.conditions ?? [],
        resources: status.resources ?? [],
      }
    }),
  )

/**
 * Asks Argo CD to compare now instead of at its next poll: what the deploy repository's webhook
 * does on a push (the annotation is the webhook's own mechanism).
 */
export const refresh = (name: string) =>
  KubeApi.use((kube) =>
    kube.patch(ref(name), { metadata: { annotations: { "argocd.argoproj.io/refresh": "normal" } } }),
  ).pipe(Effect.asVoid)

export class AppNeverReady extends Schema.TaggedError<AppNeverReady>()("AppNeverReady", {
  what: Schema.String,
  last: Schema.Array(Schema.Unknown),
}) {
  override get message(): string {
    return `${this.what}; last seen:\n${JSON.stringify(this.last, null, 2)}`
  }
}

/** Synced to `revision`, Healthy, and its last sync operation (hooks included) finished successfully. */
export const synced = (revision: string) => (state: AppState) =>
  state.sync === "Synced" &&
  state.revision === revision &&
  state.health === "Healthy" &&
  state.operation === "Succeeded"

/** Polls the named Applications until every one satisfies `done`; fails with their last states. */
export const waitForApps = (
  names: ReadonlyArray<string>,
  what: string,
  done: (state: AppState) => boolean,
  timeout: Duration.Input = Duration.minutes(5),
) =>
  Effect.gen(function* () {
    const deadline = Date.now() + Duration.toMillis(Duration.fromInputUnsafe(timeout))
    for (;;) {
      const states = yield* Effect.forEach(names, appState)
      if (states.every(done)) return states
      if (Date.now() > deadline) return yield* new AppNeverReady({ what: `not ${what}`, last: states })
      yield* Effect.sleep(Duration.millis(500))
    }
  })
