import { CelScalar, celFunc, celMethod, run } from "@bufbuild/cel"
import { rangeOf } from "@ppi/policy"
import type { TenantAdmissionPolicy } from "../components/tenant-admission.ts"

/**
 * The policies' CEL, evaluated by a conformant CEL implementation (not an API server): standard
 * CEL plus Kubernetes' `cidr(…).containsCIDR(…)`, emulated here for IPv4. What only an API server
 * proves — type-checking against the OpenAPI schema, binding by namespace labels — is left to the
 * e2e.
 */
const kubernetesCidr = [
  celFunc("cidr", [CelScalar.STRING], CelScalar.STRING, (cidr) => cidr),
  celMethod("containsCIDR", CelScalar.STRING, [CelScalar.STRING], CelScalar.BOOL, function (inner) {
    const outer = rangeOf(this)
    const candidate = rangeOf(inner)
    return outer !== undefined && candidate !== undefined && outer[0] <= candidate[0] && candidate[1] <= outer[1]
  }),
]

/** JSON → CEL values: objects become maps, integers CEL ints. */
const toCel = (value: unknown): any =>
  Array.isArray(value)
    ? value.map(toCel)
    : value !== null && typeof value === "object"
      ? new Map(Object.entries(value).map(([key, inner]) => [key, toCel(inner)]))
      : typeof value === "number" && Number.isInteger(value)
        ? BigInt(value)
        : value

/** What the API server would answer: the messages of the failing validations, or "not matched". */
export const admit = (policy: TenantAdmissionPolicy, object: unknown, oldObject: unknown = null) => {
  const variables = { object: toCel(object), oldObject: toCel(oldObject) }
  const evaluate = (expression: string) => run(expression, variables, { funcs: kubernetesCidr })
  if (!(policy.matchConditions ?? []).every((condition) => evaluate(condition.expression) === true))
    return "not matched"
  return policy.validations.filter((validation) => evaluate(validation.expression) !== true).map((v) => v.message)
}
