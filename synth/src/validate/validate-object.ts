import type { K8sObject } from "../factory/k8s-object.ts"
import { CoreModels, makeRegistry, typeKey } from "./schema-registry.ts"

export interface SchemaViolation {
  readonly object: string
  readonly path: string
  readonly message: string
}

const registry = makeRegistry(CoreModels)

export const objectRef = (object: K8sObject): string =>
  `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`

interface AjvLikeError {
  readonly instancePath?: string
  readonly message?: string
  readonly params?: Readonly<Record<string, unknown>>
}

/** Validates one object against the JSON schema of its kind; returns every violation. */
export const validateObject = (object: K8sObject): ReadonlyArray<SchemaViolation> => {
  const ref = objectRef(object)
  const Model = registry.get(typeKey(object.apiVersion, object.kind))
  if (Model === undefined)
    return [{ object: ref, path: "", message: `no schema registered for ${object.apiVersion} ${object.kind}` }]
  try {
    new Model(object as never).validate()
    return []
  } catch (error) {
    const details = (error as { errors?: ReadonlyArray<AjvLikeError> }).errors
    if (!Array.isArray(details)) return [{ object: ref, path: "", message: String(error) }]
    return details.map((detail) => ({
      object: ref,
      path: detail.instancePath ?? "",
      message: [detail.message, detail.params?.additionalProperty].filter(Boolean).join(": "),
    }))
  }
}
