import type * as pulumi from "@pulumi/pulumi"

/** Labels every bootstrap object carries (the policy pack checks them). */
export const labels = (name: string): Record<string, string> => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/part-of": "parametric-portal",
})

export const logical = (stack: string, ...parts: ReadonlyArray<string>): string => [stack, ...parts].join("-")

export const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
}

export type Opts = pulumi.ComponentResourceOptions
