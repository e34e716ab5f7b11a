import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Versions } from "@ppi/cluster/src/versions.ts"
import { Effect } from "effect"
import { parseAllDocuments } from "yaml"
import { KubeApi, type KubeObject } from "../control-plane/kube-api.ts"
import { moduleDir } from "../upstream/module-source.ts"

/**
 * The CRD files the cluster bootstrap installs, at the versions `cluster/src/versions.ts` pins,
 * read from those releases' Go modules (the module zips carry the same files as the release URLs
 * the bootstrap downloads). The synthesized output uses Argo CD's and External Secrets' kinds;
 * cert-manager appears only as an Ingress annotation, so its CRDs are not needed.
 */
const CrdSources = [
  {
    module: "github.com/argoproj/argo-cd/v3",
    version: Versions.argoCd,
    files: ["manifests/crds/application-crd.yaml", "manifests/crds/appproject-crd.yaml"],
  },
  {
    module: "github.com/external-secrets/external-secrets",
    version: Versions.externalSecrets,
    files: ["deploy/crds/bundle.yaml"],
  },
] as const

const documents = (path: string): ReadonlyArray<KubeObject> =>
  parseAllDocuments(readFileSync(path, "utf8"))
    .map((document) => document.toJSON() as KubeObject | null)
    .filter((object): object is KubeObject => object?.kind === "CustomResourceDefinition")

const established = (crd: KubeObject | undefined) =>
  (
    (crd?.status as { conditions?: ReadonlyArray<{ type: string; status: string }> } | undefined)?.conditions ?? []
  ).some((condition) => condition.type === "Established" && condition.status === "True")

/** Applies every pinned CRD and waits until the API server serves each. Returns the CRD names. */
export const installCrds = Effect.gen(function* () {
  const kube = yield* KubeApi
  const crds: Array<KubeObject> = []
  for (const source of CrdSources) {
    const dir = yield* moduleDir(source.module, source.version)
    for (const file of source.files) crds.push(...documents(join(dir, file)))
  }
  for (const crd of crds) yield* kube.apply(crd)
  for (const crd of crds) {
    const ref = { apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name }
    for (let attempt = 0; !established(yield* kube.get(ref)); attempt++) {
      if (attempt > 120) return yield* Effect.die(new Error(`CRD ${crd.metadata.name} never became Established`))
      yield* Effect.sleep("250 millis")
    }
  }
  return crds.map((crd) => crd.metadata.name)
})
