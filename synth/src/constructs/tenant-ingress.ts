import * as kplus from "cdk8s-plus-28"
import { Construct } from "constructs"
import type { TenantObjectProps } from "./tenant-context.ts"

export interface TenantIngressProps extends TenantObjectProps {
  /** Every hostname served, the canonical `{tenant}.{baseDomain}` first. */
  readonly hostnames: ReadonlyArray<string>
  /** The API Service the Ingress routes to, on its port 80. */
  readonly service: kplus.Service
  /** The cert-manager ClusterIssuer of the TLS certificate (`Platform.clusterIssuer`). */
  readonly clusterIssuer: string
  /** `Platform.ingressClass`. */
  readonly ingressClass: string
}

/**
 * `{tenant}.{baseDomain}` plus the tenant's custom hostnames, TLS from the platform's
 * cert-manager ClusterIssuer, records published by ExternalDNS from the annotation.
 */
export class TenantIngress extends Construct {
  constructor(scope: Construct, id: string, props: TenantIngressProps) {
    super(scope, id)
    const { namespace, labels, hostnames: hosts } = props
    const backend = kplus.IngressBackend.fromService(props.service, { port: 80 })
    new kplus.Ingress(this, "ingress", {
      metadata: {
        name: "api",
        namespace,
        labels: { ...labels },
        annotations: {
          "cert-manager.io/cluster-issuer": props.clusterIssuer,
          "external-dns.alpha.kubernetes.io/hostname": hosts.join(","),
          "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
          "traefik.ingress.kubernetes.io/router.tls": "true",
        },
      },
      className: props.ingressClass,
      rules: hosts.map((host) => ({ host, path: "/", pathType: kplus.HttpIngressPathType.PREFIX, backend })),
      tls: [{ hosts: [...hosts], secret: kplus.Secret.fromSecretName(this, "tls", "api-tls") }],
    })
  }
}
