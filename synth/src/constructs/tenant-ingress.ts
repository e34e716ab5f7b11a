import * as kplus from "cdk8s-plus-28"
import { Construct } from "constructs"
import type { TenantContext } from "./tenant-context.ts"

/**
 * `{tenant}.{baseDomain}` plus the tenant's custom hostnames, TLS from the platform's
 * cert-manager ClusterIssuer, records published by ExternalDNS from the annotation.
 */
export class TenantIngress extends Construct {
  constructor(scope: Construct, id: string, context: TenantContext, service: kplus.Service) {
    super(scope, id)
    const { platform, namespace, labels, hostnames: hosts } = context
    const backend = kplus.IngressBackend.fromService(service, { port: 80 })
    new kplus.Ingress(this, "ingress", {
      metadata: {
        name: "api",
        namespace,
        labels: { ...labels },
        annotations: {
          "cert-manager.io/cluster-issuer": platform.clusterIssuer,
          "external-dns.alpha.kubernetes.io/hostname": hosts.join(","),
          "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
          "traefik.ingress.kubernetes.io/router.tls": "true",
        },
      },
      className: platform.ingressClass,
      rules: hosts.map((host) => ({ host, path: "/", pathType: kplus.HttpIngressPathType.PREFIX, backend })),
      tls: [{ hosts: [...hosts], secret: kplus.Secret.fromSecretName(this, "tls", "api-tls") }],
    })
  }
}
