/**
 * Which kinds are cluster-scoped, from the API servers' discovery (Kubernetes 1.3x, plus the
 * CRDs the platform installs). Scope comes from the kind, never from `metadata.namespace`: the
 * API server ignores the namespace of a cluster-scoped object, so a rule trusting it is fooled.
 */
const CLUSTER_SCOPED: Readonly<Record<string, ReadonlyArray<string>>> = {
  "": ["Namespace", "Node", "PersistentVolume", "ComponentStatus"],
  "rbac.authorization.k8s.io": ["ClusterRole", "ClusterRoleBinding"],
  "apiextensions.k8s.io": ["CustomResourceDefinition"],
  "apiregistration.k8s.io": ["APIService"],
  "admissionregistration.k8s.io": [
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
  ],
  "scheduling.k8s.io": ["PriorityClass"],
  "storage.k8s.io": ["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass"],
  "networking.k8s.io": ["IngressClass", "IPAddress", "ServiceCIDR"],
  "node.k8s.io": ["RuntimeClass"],
  "certificates.k8s.io": ["CertificateSigningRequest", "ClusterTrustBundle"],
  "flowcontrol.apiserver.k8s.io": ["FlowSchema", "PriorityLevelConfiguration"],
  "resource.k8s.io": ["DeviceClass", "ResourceSlice"],
  "authentication.k8s.io": ["TokenReview", "SelfSubjectReview"],
  "authorization.k8s.io": ["SubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview"],
  "cert-manager.io": ["ClusterIssuer"],
  "external-secrets.io": ["ClusterSecretStore", "ClusterExternalSecret", "ClusterPushSecret"],
  "generators.external-secrets.io": ["ClusterGenerator"],
  policy: ["PodSecurityPolicy"],
}

/** `apps/v1` → `apps`, `v1` → `` (the core group). */
export const groupOf = (apiVersion: string): string =>
  apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : ""

export const isClusterScoped = (object: { readonly apiVersion: string; readonly kind: string }): boolean =>
  CLUSTER_SCOPED[groupOf(object.apiVersion)]?.includes(object.kind) ?? false
