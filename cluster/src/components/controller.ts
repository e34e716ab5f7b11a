import { RESTRICTED_CONTAINER } from "@ppi/config"
import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { labels, logical, type Opts } from "./common.ts"

export interface ControllerArgs {
  readonly stack: string
  readonly namespace: string
  readonly name: string
  readonly image: string
  readonly args: ReadonlyArray<string>
  readonly rules: ReadonlyArray<k8s.types.input.rbac.v1.PolicyRule>
  readonly env?: ReadonlyArray<k8s.types.input.core.v1.EnvVar>
  readonly ports?: ReadonlyArray<k8s.types.input.core.v1.ContainerPort>
}

/** A cluster controller from typed resources (no chart): ServiceAccount, ClusterRole + binding, hardened Deployment. */
export class Controller extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment

  constructor(name: string, args: ControllerArgs, opts?: Opts) {
    super("ppi:platform:Controller", name, {}, opts)
    const meta = { name: args.name, namespace: args.namespace, labels: labels(args.name) }
    const parent = { parent: this }
    const sa = new k8s.core.v1.ServiceAccount(logical(args.stack, args.name, "sa"), { metadata: meta }, parent)
    const role = new k8s.rbac.v1.ClusterRole(
      logical(args.stack, args.name, "role"),
      { metadata: { name: args.name, labels: labels(args.name) }, rules: [...args.rules] },
      parent,
    )
    new k8s.rbac.v1.ClusterRoleBinding(
      logical(args.stack, args.name, "binding"),
      {
        metadata: { name: args.name, labels: labels(args.name) },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: args.namespace }],
      },
      parent,
    )
    this.deployment = new k8s.apps.v1.Deployment(
      logical(args.stack, args.name),
      {
        metadata: meta,
        spec: {
          replicas: 1,
          selector: { matchLabels: { "app.kubernetes.io/name": args.name } },
          template: {
            metadata: { labels: labels(args.name) },
            spec: {
              serviceAccountName: sa.metadata.name,
              securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: args.name,
                  image: args.image,
                  args: [...args.args],
                  env: [...(args.env ?? [])],
                  ports: [...(args.ports ?? [])],
                  securityContext: RESTRICTED_CONTAINER,
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                },
              ],
            },
          },
        },
      },
      parent,
    )
    this.registerOutputs({})
  }
}
