import { namespaceOf, TENANT_LABEL } from "@ppi/config"
import { perObject, type TreeRule } from "../tree/rule.ts"

const PSA_MODES = ["enforce", "audit", "warn"] as const
/** The Pod Security version synth pins; older versions of `restricted` allow more. */
const MIN_PSS_MINOR = 28

/** The tenant namespace's own Pod Security labels: `restricted` in every mode, at a current version. */
export const namespacePodSecurity = perObject(
  "namespace/pod-security",
  "The tenant Namespace enforces, audits and warns on Pod Security restricted (version latest or ≥ v1.28)",
  ({ object }) => {
    if (object.kind !== "Namespace") return []
    const labels = object.metadata.labels ?? {}
    return PSA_MODES.flatMap((mode) => {
      const level = labels[`pod-security.kubernetes.io/${mode}`]
      const version = labels[`pod-security.kubernetes.io/${mode}-version`]
      const minor = /^v1\.(\d+)$/.exec(version ?? "")?.[1]
      return [
        ...(level === "restricted"
          ? []
          : [`pod-security.kubernetes.io/${mode} is ${level ?? "not set"}, not restricted`]),
        ...(version === undefined || version === "latest" || (minor !== undefined && Number(minor) >= MIN_PSS_MINOR)
          ? []
          : [`pod-security.kubernetes.io/${mode}-version ${version} is older than v1.${MIN_PSS_MINOR}`]),
      ]
    })
  },
)

/** The cluster's admission policies find tenant namespaces by this label: it must name the tenant. */
export const namespaceTenantLabel = perObject(
  "namespace/tenant-label",
  `The tenant Namespace carries ${TENANT_LABEL} set to its tenant`,
  ({ object, tenant }) =>
    object.kind === "Namespace" && object.metadata.labels?.[TENANT_LABEL] !== tenant
      ? [`${TENANT_LABEL} is ${object.metadata.labels?.[TENANT_LABEL] ?? "not set"}, not ${tenant}`]
      : [],
)

/** A tenant folder always brings its Namespace: without it nothing enforces Pod Security there. */
export const namespacePresent: TreeRule = {
  id: "namespace/present",
  description: "A tenant folder holds its tenant's Namespace",
  check: (folder) =>
    folder.objects.some(
      (placed) => placed.object.kind === "Namespace" && placed.object.metadata.name === namespaceOf(folder.tenant),
    )
      ? []
      : [{ at: undefined, message: `no Namespace ${namespaceOf(folder.tenant)}` }],
}
