import { ARGOCD_NAMESPACE, endpoints, type Platform, TENANT_LABEL } from "@ppi/config"
import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { Match } from "effect"
import { argocdAdmissionPolicies } from "./argocd-admission.ts"
import { labels, logical, type Opts } from "./common.ts"

/**
 * Defense in depth: the tenant guardrails as ValidatingAdmissionPolicies (CEL, GA since
 * Kubernetes 1.30), so an object applied straight to the API server — by a tenant's identity, by
 * Argo CD from a tampered deploy branch, by anyone — is refused like `pnpm policy` refuses it.
 * Each expression is kept to one idea; its message says what is refused.
 */
export interface AdmissionValidation {
  readonly expression: string
  readonly message: string
}

export interface TenantAdmissionPolicy {
  readonly name: string
  readonly description: string
  /** What the policy sees: API group, resources, operations. */
  readonly rules: ReadonlyArray<{
    readonly apiGroups: ReadonlyArray<string>
    readonly resources: ReadonlyArray<string>
    readonly operations: ReadonlyArray<string>
  }>
  /**
   * Namespaced objects: bound to tenant namespaces by label, or to Argo CD's namespace by name.
   * Namespaces themselves: by a match condition.
   */
  readonly scope: "tenant-namespaces" | "tenant-namespace-objects" | "argocd-namespace"
  readonly matchConditions?: ReadonlyArray<{ readonly name: string; readonly expression: string }>
  readonly validations: ReadonlyArray<AdmissionValidation>
}

const write = ["CREATE", "UPDATE"]
const hasLabel = (object: string, key: string) =>
  `has(${object}.metadata.labels) && '${key}' in ${object}.metadata.labels`
const label = (key: string) => `object.metadata.labels['${key}']`

/** Every container list of a pod spec (at `podSpec`): containers, init containers, ephemeral containers. */
const allContainers = (check: string, podSpec = "object.spec") =>
  ["containers", "initContainers", "ephemeralContainers"]
    .map((list) => `(!has(${podSpec}.${list}) || ${podSpec}.${list}.all(c, ${check}))`)
    .join(" && ")

/** The address ranges a tenant may reach by IP: the managed data services' (none when self-hosted). */
const allowedEgressCidrs = (platform: Platform): ReadonlyArray<string> => {
  const { postgres, redis } = endpoints(platform)
  return [...(postgres.cidrs ?? []), ...(redis.cidrs ?? [])]
}

/** Tenant Services: ClusterIP only, no external IPs. */
const servicesPolicy = (): TenantAdmissionPolicy => ({
  name: "ppi-tenant-services",
  description: "Tenant Services lead only to the tenant's pods",
  scope: "tenant-namespace-objects",
  rules: [{ apiGroups: [""], resources: ["services"], operations: write }],
  validations: [
    {
      // The API server defaults a missing type to ClusterIP before validating admission runs.
      expression: "!has(object.spec.type) || object.spec.type == 'ClusterIP'",
      message: "tenant Services must be ClusterIP: no ExternalName, NodePort or LoadBalancer",
    },
    {
      expression: "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
      message: "tenant Services may not set externalIPs",
    },
  ],
})

/** Tenant RoleBindings: a Role of their namespace, never a ClusterRole. */
const roleBindingsPolicy = (): TenantAdmissionPolicy => ({
  name: "ppi-tenant-rolebindings",
  description: "Tenant RoleBindings never bind a ClusterRole",
  scope: "tenant-namespace-objects",
  rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], operations: write }],
  validations: [
    {
      expression: "object.roleRef.kind == 'Role'",
      message: "tenant RoleBindings may bind only a Role of their namespace, never a ClusterRole",
    },
  ],
})

/** Tenant NetworkPolicies: named destinations, address ranges only within `cidrs`. */
const egressPolicy = (cidrs: ReadonlyArray<string>): TenantAdmissionPolicy => ({
  name: "ppi-tenant-egress",
  description: "Tenant NetworkPolicies open no address range but the managed data services'",
  scope: "tenant-namespace-objects",
  rules: [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], operations: write }],
  validations: [
    {
      // An egress rule without `to` allows every destination.
      expression: "!has(object.spec.egress) || object.spec.egress.all(rule, has(rule.to) && size(rule.to) > 0)",
      message: "every egress rule of a tenant NetworkPolicy must name its destinations",
    },
    {
      // cidr(…).containsCIDR is Kubernetes' CIDR library (1.31+). No allowed range: no ipBlock at all.
      expression: `!has(object.spec.egress) || object.spec.egress.all(rule, !has(rule.to) || rule.to.all(peer, !has(peer.ipBlock)${
        cidrs.length === 0
          ? ""
          : ` || [${cidrs.map((cidr) => `'${cidr}'`).join(", ")}].exists(allowed, cidr(allowed).containsCIDR(peer.ipBlock.cidr))`
      }))`,
      message:
        cidrs.length === 0
          ? "tenant NetworkPolicies may not allow egress by address range"
          : `tenant egress by address range is allowed only within ${cidrs.join(", ")}`,
    },
  ],
})

/** `repo:tag` or `repo@digest` of the API repository (the tag is never latest); nothing from another repository. */
const pinnedApi = (api: string) =>
  `(c.image.startsWith('${api}:') || c.image.startsWith('${api}@')) && !c.image.endsWith(':latest')`

/** Tenant pods: the platform's API image (`api`, its repository) only, pinned. */
const imagesPolicy = (api: string): TenantAdmissionPolicy => ({
  name: "ppi-tenant-images",
  description: "Tenant pods run only the platform's API image, pinned",
  scope: "tenant-namespace-objects",
  rules: [{ apiGroups: [""], resources: ["pods", "pods/ephemeralcontainers"], operations: write }],
  validations: [
    {
      expression: allContainers(pinnedApi(api)),
      message: `tenant pods may run only ${api}, pinned to a version or digest`,
    },
  ],
})

/**
 * The same for every pod template, so that a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job
 * or CronJob of a foreign image is refused itself, not only each pod it would make. One policy per
 * place of the template: each expression then reads one shape of object.
 */
const templateImagesPolicies = (api: string): ReadonlyArray<TenantAdmissionPolicy> => [
  {
    name: "ppi-tenant-workload-images",
    description: "Tenant workloads' pod templates run only the platform's API image, pinned",
    scope: "tenant-namespace-objects",
    rules: [
      {
        apiGroups: ["apps"],
        resources: ["deployments", "replicasets", "statefulsets", "daemonsets"],
        operations: write,
      },
      { apiGroups: ["batch"], resources: ["jobs"], operations: write },
    ],
    validations: [
      {
        expression: allContainers(pinnedApi(api), "object.spec.template.spec"),
        message: `tenant workloads may run only ${api}, pinned to a version or digest`,
      },
    ],
  },
  {
    name: "ppi-tenant-cronjob-images",
    description: "Tenant CronJobs' pod templates run only the platform's API image, pinned",
    scope: "tenant-namespace-objects",
    rules: [{ apiGroups: ["batch"], resources: ["cronjobs"], operations: write }],
    validations: [
      {
        expression: allContainers(pinnedApi(api), "object.spec.jobTemplate.spec.template.spec"),
        message: `tenant workloads may run only ${api}, pinned to a version or digest`,
      },
    ],
  },
]

/** The Pod Security version synth pins; no tenant namespace may go back to an older `restricted`. */
const MIN_PSS_MINOR = 28
const PSS_VERSIONS = "^(latest|v1[.](2[89]|[3-9][0-9]|[1-9][0-9][0-9]+))$"

/** Tenant Namespaces: their tenant label and Pod Security `restricted` stay. */
const namespacePolicy = (): TenantAdmissionPolicy => ({
  name: "ppi-tenant-namespace",
  description: "A tenant Namespace keeps its tenant label and Pod Security restricted",
  scope: "tenant-namespaces",
  rules: [{ apiGroups: [""], resources: ["namespaces"], operations: write }],
  // A namespace selector would see the new labels only: removing the tenant label would unbind
  // the policy. The condition also looks at the old object.
  matchConditions: [
    {
      name: "was-or-is-a-tenant-namespace",
      expression: `(${hasLabel("object", TENANT_LABEL)}) || (oldObject != null && ${hasLabel("oldObject", TENANT_LABEL)})`,
    },
  ],
  validations: [
    {
      expression: `${hasLabel("object", TENANT_LABEL)} && ${label(TENANT_LABEL)} == object.metadata.name`,
      message: `a tenant Namespace keeps ${TENANT_LABEL} set to its own name`,
    },
    ...(["enforce", "audit", "warn"] as const).map((mode) => ({
      expression: `${hasLabel("object", `pod-security.kubernetes.io/${mode}`)} && ${label(`pod-security.kubernetes.io/${mode}`)} == 'restricted'`,
      message: `a tenant Namespace keeps pod-security.kubernetes.io/${mode}=restricted`,
    })),
    // An older version of `restricted` allows more (synth pins v1.28): only latest or v1.28 on.
    ...(["enforce", "audit", "warn"] as const).map((mode) => ({
      expression: `!(${hasLabel("object", `pod-security.kubernetes.io/${mode}-version`)}) || ${label(`pod-security.kubernetes.io/${mode}-version`)}.matches('${PSS_VERSIONS}')`,
      message: `a tenant Namespace keeps pod-security.kubernetes.io/${mode}-version at latest or v1.${MIN_PSS_MINOR} and later`,
    })),
  ],
})

export const tenantAdmissionPolicies = (platform: Platform): ReadonlyArray<TenantAdmissionPolicy> => [
  servicesPolicy(),
  roleBindingsPolicy(),
  egressPolicy(allowedEgressCidrs(platform)),
  imagesPolicy(platform.images.api.repository),
  ...templateImagesPolicies(platform.images.api.repository),
  namespacePolicy(),
]

/** The binding's selection: namespaced objects in namespaces carrying the tenant label. */
const tenantNamespaceSelector = { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] }
/** Argo CD's namespace, by the name label the API server sets on every namespace. */
const argocdNamespaceSelector = { matchLabels: { "kubernetes.io/metadata.name": ARGOCD_NAMESPACE } }

const matchResourcesOf = (scope: TenantAdmissionPolicy["scope"]) =>
  Match.value(scope).pipe(
    Match.when("tenant-namespace-objects", () => ({ matchResources: { namespaceSelector: tenantNamespaceSelector } })),
    Match.when("argocd-namespace", () => ({ matchResources: { namespaceSelector: argocdNamespaceSelector } })),
    // Namespaces are cluster-scoped: their policies select by match conditions.
    Match.when("tenant-namespaces", () => ({})),
    Match.exhaustive,
  )

export class TenantAdmission extends pulumi.ComponentResource {
  constructor(name: string, args: { readonly stack: string; readonly platform: Platform }, opts?: Opts) {
    super("ppi:guardrails:TenantAdmission", name, {}, opts)
    for (const policy of [...tenantAdmissionPolicies(args.platform), ...argocdAdmissionPolicies(args.platform)]) {
      const created = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        logical(args.stack, policy.name),
        {
          metadata: {
            name: policy.name,
            labels: labels("tenant-admission"),
            annotations: { description: policy.description },
          },
          spec: {
            failurePolicy: "Fail",
            matchConstraints: {
              resourceRules: policy.rules.map((rule) => ({
                apiGroups: [...rule.apiGroups],
                apiVersions: ["*"],
                resources: [...rule.resources],
                operations: [...rule.operations],
              })),
            },
            ...(policy.matchConditions ? { matchConditions: policy.matchConditions.map((c) => ({ ...c })) } : {}),
            validations: policy.validations.map((validation) => ({ ...validation })),
          },
        },
        { parent: this },
      )
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        logical(args.stack, `${policy.name}-binding`),
        {
          metadata: { name: policy.name, labels: labels("tenant-admission") },
          spec: {
            policyName: policy.name,
            validationActions: ["Deny"],
            ...matchResourcesOf(policy.scope),
          },
        },
        { parent: this, dependsOn: [created] },
      )
    }
    this.registerOutputs({})
  }
}
