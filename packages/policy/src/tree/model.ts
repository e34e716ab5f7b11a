import type { KubeObject } from "../kube-object.ts"

/** One object of a folder tree, with where it sits: the folder decides what it may be. */
export interface Placed {
  /** Path of its file relative to the tree root (`acme/app/manifest.yaml`). */
  readonly path: string
  /** First path segment: the tenant, or the fleet folder `_platform`. */
  readonly tenant: string
  /** Second path segment: `platform`, `app` or `argocd`. */
  readonly component: string
  readonly object: KubeObject
  /**
   * The namespace the object really lands in: undefined for a cluster-scoped kind (whatever its
   * `metadata.namespace` says), else its own namespace or, when it has none, the destination of
   * the Application syncing its folder (the tenant namespace; Argo CD's for `_platform`).
   */
  readonly namespace: string | undefined
}

/** Every object under one first-level folder. */
export interface Folder {
  readonly tenant: string
  readonly objects: ReadonlyArray<Placed>
}

/** A problem, on an object or (undefined) on the folder as a whole. */
export interface Finding {
  readonly at: Placed | undefined
  readonly message: string
}

/** One violation of a folder tree: printed `path: Kind/name: [rule] message`. */
export interface TreeViolation {
  readonly path: string
  readonly object: string
  readonly rule: string
  readonly message: string
}

export const formatViolation = (violation: TreeViolation): string =>
  `${violation.path}: ${violation.object}: [${violation.rule}] ${violation.message}`
