import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { Images, Manifests } from "../versions.ts"
import { labels, logical, type Opts } from "./common.ts"
import { Controller } from "./controller.ts"

/** External Secrets Operator: its pinned CRD bundle and the controller (typed, no chart). */
export class ExternalSecrets extends pulumi.ComponentResource {
  constructor(name: string, args: { readonly stack: string }, opts?: Opts) {
    super("ppi:secrets:ExternalSecrets", name, {}, opts)
    const namespace = new k8s.core.v1.Namespace(
      logical(args.stack, "external-secrets-namespace"),
      { metadata: { name: "external-secrets", labels: labels("external-secrets") } },
      { parent: this },
    )
    const crds = new k8s.yaml.v2.ConfigFile(
      logical(args.stack, "external-secrets-crds"),
      { file: Manifests.externalSecretsCrds },
      { parent: this },
    )
    new Controller(
      logical(args.stack, "external-secrets"),
      {
        stack: args.stack,
        namespace: "external-secrets",
        name: "external-secrets",
        image: Images.externalSecrets,
        args: ["--concurrent=2", "--loglevel=info"],
        rules: [
          {
            apiGroups: ["external-secrets.io", "generators.external-secrets.io"],
            resources: ["*"],
            verbs: ["get", "list", "watch", "update", "patch", "create", "delete"],
          },
          {
            apiGroups: [""],
            resources: ["secrets", "serviceaccounts/token", "configmaps", "events", "namespaces"],
            verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
          },
          {
            apiGroups: ["authorization.k8s.io"],
            resources: ["selfsubjectrulesreviews", "selfsubjectaccessreviews"],
            verbs: ["create"],
          },
        ],
      },
      { parent: this, dependsOn: [namespace, crds] },
    )
    this.registerOutputs({})
  }
}

/** The variable each ExternalDNS provider reads its API credential from. */
const CREDENTIAL_ENV: Readonly<Record<string, string>> = {
  cloudflare: "CF_API_TOKEN",
  google: "GOOGLE_APPLICATION_CREDENTIALS_JSON",
  rfc2136: "EXTERNAL_DNS_RFC2136_TSIG_SECRET",
}

/** ExternalDNS publishing Ingress hostnames to the configured provider (credentials from a Pulumi secret). */
export class ExternalDns extends pulumi.ComponentResource {
  constructor(
    name: string,
    args: {
      readonly stack: string
      readonly provider: string
      readonly domain: string
      readonly credentials: pulumi.Output<string>
    },
    opts?: Opts,
  ) {
    super("ppi:dns:ExternalDns", name, {}, opts)
    const namespace = new k8s.core.v1.Namespace(
      logical(args.stack, "external-dns-namespace"),
      { metadata: { name: "external-dns", labels: labels("external-dns") } },
      { parent: this },
    )
    const credentials = new k8s.core.v1.Secret(
      logical(args.stack, "external-dns-credentials"),
      {
        metadata: { name: "external-dns-credentials", namespace: "external-dns", labels: labels("external-dns") },
        stringData: { token: pulumi.secret(args.credentials) },
      },
      { parent: this, dependsOn: [namespace] },
    )
    new Controller(
      logical(args.stack, "external-dns"),
      {
        stack: args.stack,
        namespace: "external-dns",
        name: "external-dns",
        image: Images.externalDns,
        args: [
          "--source=ingress",
          `--provider=${args.provider}`,
          `--domain-filter=${args.domain}`,
          "--policy=upsert-only",
          "--registry=txt",
          `--txt-owner-id=${args.stack}`,
        ],
        env: [
          {
            name: CREDENTIAL_ENV[args.provider] ?? "DNS_TOKEN",
            valueFrom: { secretKeyRef: { name: "external-dns-credentials", key: "token" } },
          },
        ],
        rules: [
          { apiGroups: [""], resources: ["services", "endpoints", "pods", "nodes"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["get", "list", "watch"] },
        ],
      },
      { parent: this, dependsOn: [credentials] },
    )
    this.registerOutputs({})
  }
}
