import { managedLabels } from "@ppi/config"
import type * as pulumi from "@pulumi/pulumi"

/** Labels every bootstrap object carries (the policy pack checks them). */
export const labels = (name: string): Record<string, string> => ({
  "app.kubernetes.io/name": name,
  ...managedLabels("pulumi"),
})

export const logical = (stack: string, ...parts: ReadonlyArray<string>): string => [stack, ...parts].join("-")

export type Opts = pulumi.ComponentResourceOptions
