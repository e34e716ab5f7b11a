import { Schema } from "effect"
import { DATA_NAMESPACE } from "./contract.ts"

/**
 * Namespaces the platform itself owns. A tenant named like one of them would be handed
 * the platform's namespace, so these names are refused at decode time.
 */
export const PLATFORM_NAMESPACES = [
  "argocd",
  "cert-manager",
  "default",
  "external-dns",
  "external-secrets",
  "garage",
  "longhorn-system",
  "platform",
  DATA_NAMESPACE,
  "postgres",
  "redis",
  "traefik",
] as const

export const isReservedName = (name: string): boolean =>
  (PLATFORM_NAMESPACES as ReadonlyArray<string>).includes(name) || name.startsWith("kube-")

const DnsLabelPattern = /^[a-z]([a-z0-9-]*[a-z0-9])?$/

/** A tenant name: a DNS label of at most 40 characters that the platform does not reserve. */
export const TenantName = Schema.String.check(
  Schema.isMinLength(1, { message: "must not be empty" }),
  Schema.isMaxLength(40, { message: "must be at most 40 characters" }),
  Schema.isPattern(DnsLabelPattern, {
    message: "must be a DNS label: lowercase letters, digits and '-', starting with a letter",
  }),
  Schema.makeFilter((name: string) => (isReservedName(name) ? `"${name}" is reserved by the platform` : undefined)),
)

const HostnamePattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/

/** A fully-qualified, lowercase hostname (no wildcard, no trailing dot, no port). */
export const Hostname = Schema.String.check(
  Schema.isPattern(HostnamePattern, {
    message: "must be a lowercase fully-qualified hostname such as app.example.com",
  }),
)

/** Environment variable names a tenant may set itself. */
export const EnvName = Schema.String.check(
  Schema.isPattern(/^[A-Z][A-Z0-9_]{0,62}$/, {
    message: "must be an UPPER_SNAKE_CASE environment variable name",
  }),
)

/** Feature flag names: kebab-case, exposed to the runtime as FEATURE_FLAGS. */
export const FeatureName = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9-]{0,62}$/, { message: "must be a kebab-case feature name" }),
)

// Kubernetes label rules: optional DNS-subdomain prefix + name ≤ 63; values ≤ 63.
const LabelKeyPattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/

/** Label prefixes the platform sets itself; a tenant may not override them. */
const ReservedLabelPrefixes = [
  "app.kubernetes.io/",
  "kubernetes.io/",
  "k8s.io/",
  "pod-security.kubernetes.io/",
  "platform.parametric.dev/",
]

export const LabelKey = Schema.String.check(
  Schema.isPattern(LabelKeyPattern, { message: "must be a valid Kubernetes label key" }),
  Schema.makeFilter((key: string) =>
    ReservedLabelPrefixes.some((prefix) => key.startsWith(prefix) || key.includes(`.${prefix}`))
      ? `label key "${key}" uses a prefix reserved by the platform`
      : undefined,
  ),
)

export const LabelValue = Schema.String.check(
  Schema.isPattern(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, {
    message: "must be a valid Kubernetes label value (≤ 63 characters, alphanumeric at both ends)",
  }),
)

/** An image tag: never `latest`, never empty. */
export const ImageTag = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "must be a valid image tag" }),
  Schema.makeFilter((tag: string) => (tag === "latest" ? "must be a pinned version, not latest" : undefined)),
)

export const ImageDigest = Schema.String.check(
  Schema.isPattern(/^sha256:[a-f0-9]{64}$/, { message: "must be a sha256 digest (sha256:<64 hex>)" }),
)

export const Email = Schema.String.check(
  Schema.isPattern(/^[^\s@"'<>]+@[^\s@"'<>]+\.[a-z]{2,}$/i, { message: "must be an email address" }),
  Schema.isMaxLength(254),
)
