import { ARGOCD_NAMESPACE } from "@ppi/config"
import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import * as random from "@pulumi/random"
import { argoCdSettingsLabels } from "./argocd.ts"
import { logical, type Opts } from "./common.ts"

/**
 * The shared secret of Argo CD's GitHub webhook (`webhook.github.secret` in `argocd-secret`), so a
 * push to the deploy branch refreshes the root Application at once instead of at the next 120 s
 * poll, and Argo CD drops any payload GitHub did not sign. Generated here, kept only in the
 * Pulumi state (encrypted) and the cluster, never in git; `secret` is exported as a Pulumi secret
 * for the GitHub side (docs/setup.md).
 */
export class ArgoCdWebhookSecret extends pulumi.ComponentResource {
  readonly secret: pulumi.Output<string>

  constructor(name: string, args: { readonly stack: string }, opts?: Opts) {
    super("ppi:gitops:ArgoCdWebhookSecret", name, {}, opts)
    const generated = new random.RandomBytes(
      logical(args.stack, "argocd-webhook-secret"),
      { length: 32 },
      {
        parent: this,
      },
    )
    this.secret = pulumi.secret(generated.hex)
    // A patch of the Secret the install manifest creates: only this key is ours, Argo CD keeps its own.
    new k8s.core.v1.SecretPatch(
      logical(args.stack, "argocd-secret-webhook"),
      {
        metadata: { name: "argocd-secret", namespace: ARGOCD_NAMESPACE, labels: argoCdSettingsLabels },
        data: { "webhook.github.secret": this.secret.apply((value) => Buffer.from(value).toString("base64")) },
      },
      { parent: this },
    )
    this.registerOutputs({ secret: this.secret })
  }
}
