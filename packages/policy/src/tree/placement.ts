import {
  CREDENTIALS_READER,
  CREDENTIALS_SECRET,
  credentialsReaderRoleOf,
  generatedSecretOf,
  namespaceOf,
  PLATFORM_SECRET_STORE,
  passwordGeneratorOf,
  platformApplicationOf,
} from "@ppi/config"
import { groupOf, isClusterScoped } from "../scope.ts"
import type { TreeContext } from "./context.ts"

/** Where an object of a component may land: a namespace by role, and (when pinned) its name. */
export interface Slot {
  readonly group: string
  readonly kind: string
  readonly namespace: "tenant" | "platform" | "argocd" | "cluster"
  readonly name?: (tenant: string) => string
}

const slot = (group: string, kind: string, namespace: Slot["namespace"], name?: Slot["name"]): Slot =>
  name === undefined ? { group, kind, namespace } : { group, kind, namespace, name }

/**
 * Exactly what synth emits per component, by kind, namespace and (where it is fixed) name.
 * Objects synth places in the shared platform and Argo CD namespaces carry the tenant's name, so
 * a tenant folder can never write (or overwrite) another tenant's credentials, scripts, projects
 * or applications there.
 */
export const TENANT_SLOTS: Readonly<Record<string, ReadonlyArray<Slot>>> = {
  platform: [
    slot("", "Namespace", "cluster", (tenant) => namespaceOf(tenant)),
    slot("", "ResourceQuota", "tenant", () => "tenant-quota"),
    slot("", "LimitRange", "tenant", () => "tenant-limits"),
    slot("networking.k8s.io", "NetworkPolicy", "tenant"),
    slot("", "ServiceAccount", "tenant", () => CREDENTIALS_READER),
    slot("external-secrets.io", "SecretStore", "tenant", () => PLATFORM_SECRET_STORE),
    slot("external-secrets.io", "ExternalSecret", "tenant", () => CREDENTIALS_SECRET),
    slot("external-secrets.io", "ExternalSecret", "platform", generatedSecretOf),
    slot("generators.external-secrets.io", "Password", "platform", passwordGeneratorOf),
    slot("rbac.authorization.k8s.io", "Role", "platform", credentialsReaderRoleOf),
    slot("rbac.authorization.k8s.io", "RoleBinding", "platform", credentialsReaderRoleOf),
    slot("", "ConfigMap", "platform", (tenant) => `provision-${tenant}`),
    slot("batch", "Job", "platform", (tenant) => `provision-${tenant}`),
  ],
  // Names too: a ConfigMap named kube-root-ca.crt would replace the CA the secret store trusts.
  app: [
    slot("", "ServiceAccount", "tenant", () => "api"),
    slot("", "ConfigMap", "tenant", () => "api-env"),
    slot("", "Service", "tenant", () => "api"),
    slot("apps", "Deployment", "tenant", () => "api"),
    slot("networking.k8s.io", "Ingress", "tenant", () => "api"),
    slot("autoscaling", "HorizontalPodAutoscaler", "tenant", () => "api"),
    slot("policy", "PodDisruptionBudget", "tenant", () => "api"),
  ],
  argocd: [
    slot("argoproj.io", "AppProject", "argocd", (tenant) => tenant),
    slot("argoproj.io", "Application", "argocd", (tenant) => tenant),
    slot("argoproj.io", "Application", "argocd", platformApplicationOf),
  ],
}

/** The fleet folder holds the platform's AppProject and nothing else. */
const FLEET_SLOTS: Readonly<Record<string, ReadonlyArray<Slot>>> = {
  argocd: [slot("argoproj.io", "AppProject", "argocd", () => "platform")],
}

export const slotsOf = (context: TreeContext, tenant: string) =>
  tenant === context.fleetFolder ? FLEET_SLOTS : TENANT_SLOTS

/** `component group/Kind` → its slots, built once: rules look slots up for every object. */
const indexOf = (table: Readonly<Record<string, ReadonlyArray<Slot>>>) => {
  const index = new Map<string, Array<Slot>>()
  for (const [component, slots] of Object.entries(table))
    for (const slot of slots) {
      const key = `${component} ${slot.group}/${slot.kind}`
      index.set(key, [...(index.get(key) ?? []), slot])
    }
  return index
}
const TENANT_INDEX = indexOf(TENANT_SLOTS)
const FLEET_INDEX = indexOf(FLEET_SLOTS)

/** The slots an object of this kind may take in this folder and component (none: it does not belong there). */
export const slotsFor = (
  placed: {
    readonly tenant: string
    readonly component: string
    readonly object: { apiVersion: string; kind: string }
  },
  context: TreeContext,
): ReadonlyArray<Slot> =>
  (placed.tenant === context.fleetFolder ? FLEET_INDEX : TENANT_INDEX).get(
    `${placed.component} ${kindKey(placed.object)}`,
  ) ?? []

/** The group/kind pairs synth ever emits, in any component. */
export const KNOWN_KINDS: ReadonlySet<string> = new Set(
  [...Object.values(TENANT_SLOTS), ...Object.values(FLEET_SLOTS)].flat().map((s) => `${s.group}/${s.kind}`),
)

export const kindKey = (object: { readonly apiVersion: string; readonly kind: string }): string =>
  `${groupOf(object.apiVersion)}/${object.kind}`

export const namespaceFor = (role: Slot["namespace"], tenant: string, context: TreeContext): string | undefined =>
  role === "tenant"
    ? namespaceOf(tenant)
    : role === "platform"
      ? context.platformNamespace
      : role === "argocd"
        ? context.argocdNamespace
        : undefined

export const isAllowlisted = (context: TreeContext, component: string, kind: string): boolean =>
  context.allowKinds.includes(kind) || context.allowKinds.includes(`${component}:${kind}`)

/** Which namespace an object lands in, from its tenant's point of view. */
export const namespaceRole = (
  placed: { readonly tenant: string; readonly namespace: string | undefined },
  context: TreeContext,
): "tenant" | "platform" | "other" =>
  placed.namespace === namespaceOf(placed.tenant)
    ? "tenant"
    : placed.namespace === context.platformNamespace
      ? "platform"
      : "other"

/**
 * The namespace an object lands in: none for a cluster-scoped kind (whatever it claims), its own,
 * or the destination of the Application syncing its folder (the tenant's; Argo CD's for the fleet).
 */
export const landingNamespace = (
  object: { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly namespace?: string } },
  tenant: string,
  context: TreeContext,
): string | undefined =>
  isClusterScoped(object)
    ? undefined
    : (object.metadata.namespace ?? (tenant === context.fleetFolder ? context.argocdNamespace : namespaceOf(tenant)))
