import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { Manifests } from "../versions.ts"
import { labels, logical, type Opts } from "./common.ts"

const Issuers = {
  staging: { name: "letsencrypt-staging", server: "https://acme-staging-v02.api.letsencrypt.org/directory" },
  production: { name: "letsencrypt-production", server: "https://acme-v02.api.letsencrypt.org/directory" },
} as const

/** cert-manager from its pinned release manifest, with Let's Encrypt staging and production ClusterIssuers (HTTP-01 via the ingress class). */
export class CertManager extends pulumi.ComponentResource {
  constructor(
    name: string,
    args: { readonly stack: string; readonly email: string; readonly ingressClass: string },
    opts?: Opts,
  ) {
    super("ppi:tls:CertManager", name, {}, opts)
    const install = new k8s.yaml.v2.ConfigFile(
      logical(args.stack, "cert-manager"),
      { file: Manifests.certManager },
      { parent: this },
    )
    for (const issuer of Object.values(Issuers))
      new k8s.apiextensions.CustomResource(
        logical(args.stack, issuer.name),
        {
          apiVersion: "cert-manager.io/v1",
          kind: "ClusterIssuer",
          metadata: { name: issuer.name, labels: labels("cert-manager") },
          spec: {
            acme: {
              email: args.email,
              server: issuer.server,
              privateKeySecretRef: { name: `${issuer.name}-account-key` },
              solvers: [{ http01: { ingress: { ingressClassName: args.ingressClass } } }],
            },
          },
        },
        { parent: this, dependsOn: [install] },
      )
    this.registerOutputs({})
  }
}
