import type { KubeObject } from "@ppi/policy"
import { toCanonicalYaml } from "./canonical-yaml.ts"

/** Every tenant component is one file, as Argo CD's Source Hydrator writes one per application path. */
export const MANIFEST_FILE = "manifest.yaml"

const waveOf = (object: KubeObject): number => {
  const annotations = object.metadata.annotations as Readonly<Record<string, string>> | undefined
  const wave = Number(annotations?.["argocd.argoproj.io/sync-wave"] ?? 0)
  return Number.isFinite(wave) ? wave : 0
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Sync wave, then kind, then name (then namespace): the order Argo CD applies them in, readable in a diff. */
const byApplyOrder = (a: KubeObject, b: KubeObject): number =>
  waveOf(a) - waveOf(b) ||
  compareText(a.kind, b.kind) ||
  compareText(a.metadata.name, b.metadata.name) ||
  compareText(a.metadata.namespace ?? "", b.metadata.namespace ?? "")

/** A component's objects → one multi-document YAML file, one `---` between documents. */
export const toComponentManifest = (objects: ReadonlyArray<KubeObject>): string =>
  [...objects].sort(byApplyOrder).map(toCanonicalYaml).join("---\n")
