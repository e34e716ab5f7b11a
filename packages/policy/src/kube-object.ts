/** A Kubernetes object as plain JSON: what the synth writes and what Pulumi resources carry. */
export interface KubeObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: {
    readonly name: string
    readonly namespace?: string
    readonly labels?: Readonly<Record<string, string>>
    readonly annotations?: Readonly<Record<string, string>>
  }
  readonly [key: string]: unknown
}

/** A rule on one object: returns what is wrong with it, nothing when it passes. */
export interface ObjectRule {
  readonly id: string
  readonly description: string
  readonly check: (object: KubeObject) => ReadonlyArray<string>
}

/** A rule on all the objects of one tenant (presence of a default deny, a PDB…). */
export interface TenantRule {
  readonly id: string
  readonly description: string
  readonly check: (objects: ReadonlyArray<KubeObject>, tenant: string) => ReadonlyArray<string>
}

export interface Violation {
  readonly rule: string
  readonly object: string
  readonly message: string
}

export const refOf = (object: KubeObject): string =>
  `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`

export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Reads a nested field without trusting its shape. */
export const field = (value: unknown, ...path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((current, key) => (isRecord(current) ? current[key] : undefined), value)

export const list = (value: unknown): ReadonlyArray<unknown> => (Array.isArray(value) ? value : [])
