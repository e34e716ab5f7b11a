import { ARGOCD_NAMESPACE } from "@ppi/config"
import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { labels, logical, type Opts } from "./common.ts"

/** The account `pnpm bot rollout` reads Argo CD's Applications as (`ARGOCD_READER_TOKEN`, docs/setup.md §5). */
export const ROLLOUT_READER = "ppi-rollout-reader"

/**
 * The rollout's reader: a ServiceAccount that may only get and list Argo CD's Applications in
 * Argo CD's namespace (no watch, no write, no Secrets), and a long-lived token Secret the token
 * controller fills, which the operator copies into the repository's secrets. The rollout needs to
 * read whether a wave is Synced and Healthy; nothing more is granted.
 */
export class RolloutReader extends pulumi.ComponentResource {
  /** `namespace/name` of the Secret holding the token. */
  readonly tokenSecret: string

  constructor(name: string, args: { readonly stack: string }, opts?: Opts) {
    super("ppi:gitops:RolloutReader", name, {}, opts)
    const metadata = { name: ROLLOUT_READER, namespace: ARGOCD_NAMESPACE, labels: labels(ROLLOUT_READER) }
    const account = new k8s.core.v1.ServiceAccount(
      logical(args.stack, "rollout-reader"),
      { metadata },
      { parent: this },
    )
    const role = new k8s.rbac.v1.Role(
      logical(args.stack, "rollout-reader-role"),
      { metadata, rules: [{ apiGroups: ["argoproj.io"], resources: ["applications"], verbs: ["get", "list"] }] },
      { parent: this },
    )
    new k8s.rbac.v1.RoleBinding(
      logical(args.stack, "rollout-reader-binding"),
      {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: ROLLOUT_READER },
        subjects: [{ kind: "ServiceAccount", name: ROLLOUT_READER, namespace: ARGOCD_NAMESPACE }],
      },
      { parent: this, dependsOn: [account, role] },
    )
    const tokenName = `${ROLLOUT_READER}-token`
    new k8s.core.v1.Secret(
      logical(args.stack, "rollout-reader-token"),
      {
        metadata: {
          name: tokenName,
          namespace: ARGOCD_NAMESPACE,
          labels: labels(ROLLOUT_READER),
          annotations: { "kubernetes.io/service-account.name": ROLLOUT_READER },
        },
        type: "kubernetes.io/service-account-token",
      },
      { parent: this, dependsOn: [account] },
    )
    this.tokenSecret = `${ARGOCD_NAMESPACE}/${tokenName}`
    this.registerOutputs({ tokenSecret: this.tokenSecret })
  }
}
