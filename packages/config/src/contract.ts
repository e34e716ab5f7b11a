/**
 * Facts the synth, the policy engine, the bot and the cluster bootstrap must state alike: each
 * is written here once and read everywhere else.
 */

/** The platform file, relative to the repository root: every tool reads it from there unless told otherwise. */
export const PLATFORM_FILE = "synth/platform.ts"

/** The namespace of the self-hosted PostgreSQL and Redis when the platform file names none. */
export const DATA_NAMESPACE = "platform-data"

/** The namespace tenants reach a shared service in (self-hosted), defaulted as the cluster creates it. */
export const dataNamespaceOf = (endpoint: { readonly namespace?: string | undefined }): string =>
  endpoint.namespace ?? DATA_NAMESPACE

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
export const PART_OF_LABEL = "app.kubernetes.io/part-of"

/** Who wrote an object: the synth (everything on the deploy branch) or Pulumi (the bootstrap). */
export type Manager = "ppi-synth" | "pulumi"

/** The labels naming who manages an object and the system it belongs to; the policies require both. */
export const managedLabels = (manager: Manager): Readonly<Record<string, string>> => ({
  [MANAGED_BY_LABEL]: manager,
  [PART_OF_LABEL]: "parametric-portal",
})

/**
 * A container security context meeting the `restricted` Pod Security Standard, as every container
 * the platform runs carries it; callers add the user and group the image runs as.
 */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
}
