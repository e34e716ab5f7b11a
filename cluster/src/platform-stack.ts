import { dataNamespaceOf } from "@ppi/config"
import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { Match } from "effect"
import { ArgoCd } from "./components/argocd.ts"
import { ArgoCdWebhookSecret } from "./components/argocd-webhook.ts"
import { CertManager } from "./components/cert-manager.ts"
import { labels, logical } from "./components/common.ts"
import { ManagedDataEndpoints, SelfHostedDataServices } from "./components/data-services.ts"
import { Traefik } from "./components/ingress.ts"
import { K3sNodes } from "./components/k3s-nodes.ts"
import { Longhorn } from "./components/longhorn.ts"
import { MetricsServer } from "./components/metrics-server.ts"
import { RolloutReader } from "./components/rollout-reader.ts"
import { ExternalDns, ExternalSecrets } from "./components/secrets-and-dns.ts"
import { TenantAdmission } from "./components/tenant-admission.ts"
import type { ClusterConfig } from "./config.ts"

/** Stack secrets, read by the program entry as Pulumi secrets. */
export interface StackSecrets {
  readonly dnsCredentials: pulumi.Output<string>
  readonly sshPrivateKey?: pulumi.Output<string>
  readonly managedPostgresPassword?: pulumi.Output<string>
  readonly managedRedisPassword?: pulumi.Output<string>
}

/** The data services of the platform's mode: in-cluster on Longhorn, or the managed endpoints' credentials. */
const dataServices = (config: ClusterConfig, secrets: StackSecrets, platformNamespace: pulumi.Resource) => {
  const { stack, platform, settings } = config
  return Match.value(platform.mode).pipe(
    Match.when("selfhosted", () => {
      if (settings.k3s && secrets.sshPrivateKey)
        new K3sNodes(logical(stack, "nodes"), {
          stack,
          version: settings.k3s.version,
          sshUser: settings.k3s.sshUser,
          privateKey: secrets.sshPrivateKey,
          hosts: settings.k3s.hosts,
        })
      const storage = new Longhorn(logical(stack, "storage"), { stack })
      return new SelfHostedDataServices(
        logical(stack, "data"),
        {
          stack,
          dataNamespace: dataNamespaceOf(platform.postgres.selfhosted),
          platformNamespace: platform.platformNamespace,
          database: platform.postgres.selfhosted.database,
          postgresMaxConnections: platform.postgres.selfhosted.maxConnections,
          redisMaxClients: platform.redis.selfhosted.maxClients,
          redisMaxMemoryMiB: platform.redis.selfhosted.maxMemoryMiB,
        },
        { dependsOn: [storage, platformNamespace] },
      )
    }),
    Match.when(
      "cloud",
      () =>
        new ManagedDataEndpoints(
          logical(stack, "data"),
          {
            stack,
            platformNamespace: platform.platformNamespace,
            postgresPassword: secrets.managedPostgresPassword ?? pulumi.secret(""),
            redisPassword: secrets.managedRedisPassword ?? pulumi.secret(""),
          },
          { dependsOn: [platformNamespace] },
        ),
    ),
    Match.exhaustive,
  )
}

/**
 * The whole bootstrap. What both modes share comes first; then one arm per deployment mode
 * (dispatched like the tenant factory): self-hosted runs the data services in-cluster on
 * Longhorn, cloud points at managed endpoints over TLS. Argo CD comes last and takes over.
 */
export const platformStack = (config: ClusterConfig, secrets: StackSecrets) => {
  const { stack, platform, settings } = config
  const platformNamespace = new k8s.core.v1.Namespace(logical(stack, "platform-namespace"), {
    metadata: {
      name: platform.platformNamespace,
      labels: { ...labels("platform"), "pod-security.kubernetes.io/enforce": "restricted" },
    },
  })
  new CertManager(logical(stack, "tls"), { stack, email: settings.acmeEmail, ingressClass: platform.ingressClass })
  new Traefik(logical(stack, "ingress"), {
    stack,
    namespace: platform.ingressNamespace,
    ingressClass: platform.ingressClass,
  })
  new ExternalSecrets(logical(stack, "secrets"), { stack })
  if (settings.metricsServer ?? settings.k3s === undefined) new MetricsServer(logical(stack, "metrics"), { stack })
  // Before Argo CD syncs the first tenant: the cluster refuses what the policy refuses.
  const admission = new TenantAdmission(logical(stack, "tenant-admission"), { stack, platform })
  new ExternalDns(logical(stack, "dns"), {
    stack,
    provider: settings.externalDnsProvider,
    domain: platform.baseDomain,
    credentials: secrets.dnsCredentials,
  })
  const data = dataServices(config, secrets, platformNamespace)
  const argocd = new ArgoCd(
    logical(stack, "gitops"),
    { stack, platform, manifest: settings.argoCdManifest },
    { dependsOn: [data, admission] },
  )
  const webhook = new ArgoCdWebhookSecret(logical(stack, "gitops-webhook"), { stack }, { dependsOn: [argocd] })
  const reader = new RolloutReader(logical(stack, "gitops-rollout-reader"), { stack }, { dependsOn: [argocd] })
  return {
    rootApplication: argocd.root.metadata.name,
    mode: platform.mode,
    argoCdWebhookSecret: webhook.secret,
    rolloutReaderTokenSecret: reader.tokenSecret,
  }
}
