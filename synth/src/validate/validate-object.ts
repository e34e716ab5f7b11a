import { type KubeObject, refOf } from "@ppi/policy"
import type { SchemaViolation } from "../errors.ts"
import { CoreModels, makeRegistry, typeKey } from "./schema-registry.ts"

const registry = makeRegistry(CoreModels)

interface AjvLikeError {
  readonly instancePath?: string
  readonly message?: string
  readonly params?: Readonly<Record<string, unknown>>
}

/** Validates one object of `tenant` (or the fleet folder) against the JSON schema of its kind; returns every violation. */
export const validateObject = (object: KubeObject, tenant: string): ReadonlyArray<SchemaViolation> => {
  const ref = refOf(object)
  const Model = registry.get(typeKey(object.apiVersion, object.kind))
  if (Model === undefined)
    return [{ tenant, object: ref, path: "", message: `no schema registered for ${object.apiVersion} ${object.kind}` }]
  try {
    new Model(object as never).validate()
    return []
  } catch (error) {
    const details = (error as { errors?: ReadonlyArray<AjvLikeError> }).errors
    if (!Array.isArray(details)) return [{ tenant, object: ref, path: "", message: String(error) }]
    return details.map((detail) => ({
      tenant,
      object: ref,
      path: detail.instancePath ?? "",
      message: [detail.message, detail.params?.additionalProperty].filter(Boolean).join(": "),
    }))
  }
}
