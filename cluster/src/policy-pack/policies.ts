import { MANAGED_BY_LABEL, PART_OF_LABEL } from "@ppi/config"
import {
  imagesPinned,
  type KubeObject,
  type ObjectRule,
  podSecurityRules,
  requiredLabelsRule,
  resourceQuotaComplete,
} from "@ppi/policy"
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy"

/** `kubernetes:apps/v1:Deployment` + props → the plain object the synth's rules check. */
export const toKubeObject = (type: string, props: Record<string, unknown>): KubeObject | undefined => {
  const match = /^kubernetes:([\w.-]+)\/(v[\w]+):(\w+)$/.exec(type)
  // yaml/v2:ConfigFile and friends are bundles of upstream objects, not objects themselves.
  if (match === null || match[1] === "yaml" || match[3]?.endsWith("Patch")) return undefined
  const [, group, version, kind] = match
  const metadata = (props.metadata ?? {}) as KubeObject["metadata"]
  return {
    ...props,
    apiVersion: group === "core" ? `${version}` : `${group}/${version}`,
    kind: kind ?? "",
    metadata: { ...metadata, name: metadata.name ?? "" },
  }
}

/** The same rule implementation as the synth's `out/` checks, applied to a Pulumi Kubernetes resource. */
const fromRule = (rule: ObjectRule, name: string): ResourceValidationPolicy => ({
  name,
  description: rule.description,
  enforcementLevel: "mandatory",
  validateResource: (args: ResourceValidationArgs, reportViolation) => {
    const object = toKubeObject(args.type, args.props as Record<string, unknown>)
    if (object !== undefined) for (const message of rule.check(object)) reportViolation(`${args.name}: ${message}`)
  },
})

/** Logical names start with the stack name, so two stacks in one account never collide. */
const stackPrefixedNames: ResourceValidationPolicy = {
  name: "stack-prefixed-names",
  description: "Every logical resource name starts with the stack name",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const stack = /^urn:pulumi:([^:]+)::/.exec(args.urn)?.[1]
    if (stack !== undefined && !args.name.startsWith(`${stack}-`) && !args.type.startsWith("pulumi:"))
      reportViolation(`${args.name} does not start with the stack name ${stack}-`)
  },
}

export const policies: ReadonlyArray<ResourceValidationPolicy> = [
  fromRule(imagesPinned, "images-pinned"),
  fromRule(requiredLabelsRule([MANAGED_BY_LABEL, PART_OF_LABEL]), "required-labels"),
  fromRule(resourceQuotaComplete, "quota-complete"),
  // The same Pod Security controls the tenant folders are held to, on the platform's own workloads.
  ...podSecurityRules.map((rule) => fromRule(rule, rule.id.replace("/", "-"))),
  stackPrefixedNames,
]

/** Runs one policy on one resource (tests, and the bootstrap's self-check). */
export const runPolicy = (
  policy: ResourceValidationPolicy,
  args: Pick<ResourceValidationArgs, "type" | "name" | "props" | "urn">,
  report: (message: string) => void,
): void => {
  const validate = policy.validateResource
  const validators = Array.isArray(validate) ? validate : [validate]
  for (const validator of validators) void validator?.(args as ResourceValidationArgs, report)
}
