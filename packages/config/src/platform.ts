import { Schema } from "effect"
import { defaulted } from "./defaulted.ts"
import { Hostname, ImageDigest, ImageTag } from "./names.ts"
import { RolloutPolicy } from "./rollout-policy.ts"

const DeploymentMode = Schema.Literals(["selfhosted", "cloud"])
export type DeploymentMode = typeof DeploymentMode.Type

/** A container image pinned by tag, and by digest where we have one. */
export const PinnedImage = Schema.Struct({
  repository: Schema.String.check(
    Schema.isPattern(/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/, { message: "must be an image repository" }),
  ),
  tag: ImageTag,
  digest: Schema.optionalKey(ImageDigest),
})
export type PinnedImage = typeof PinnedImage.Type

export const imageRef = (image: { readonly repository: string; readonly tag: string; readonly digest?: string }) =>
  `${image.repository}:${image.tag}${image.digest ? `@${image.digest}` : ""}`

/** A public GPG key Argo CD trusts for deploy commits: its 16-hex-digit key ID and the armored key. */
const SigningKey = Schema.Struct({
  keyID: Schema.String.check(
    Schema.isPattern(/^[0-9A-F]{16}$/, { message: "must be a GPG key ID: 16 uppercase hexadecimal digits" }),
  ),
  publicKey: Schema.String.check(
    Schema.isPattern(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\n[\s\S]+\n-----END PGP PUBLIC KEY BLOCK-----\n?$/, {
      message: "must be an ASCII-armored public key (gpg --armor --export KEYID)",
    }),
  ),
})
export type SigningKey = typeof SigningKey.Type

const Port = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 65535 }))
const Count = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000_000_000 }))
const Cidr = Schema.String.check(
  Schema.isPattern(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { message: "must be an IPv4 CIDR such as 10.0.0.0/16" }),
)

/** How tenants reach a shared service in one deployment mode. */
export const Endpoint = Schema.Struct({
  host: Schema.String.check(Schema.isMinLength(1)),
  port: Port,
  /** selfhosted: the in-cluster namespace and pod labels NetworkPolicies allow egress to. */
  namespace: Schema.optionalKey(Schema.String),
  podLabels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  /** cloud: the address ranges of the managed service, for egress NetworkPolicies. */
  cidrs: Schema.optionalKey(Schema.Array(Cidr)),
})
export type Endpoint = typeof Endpoint.Type

export const PostgresEndpoint = Schema.Struct({
  ...Endpoint.fields,
  database: Schema.String.check(Schema.isMinLength(1)),
  /** The server's `max_connections` (self-hosted: what cluster/ sets; cloud: the provider's). */
  maxConnections: defaulted(Count, 100),
  /** Connections kept for the platform (admin, provisioning, monitoring, superuser reserve). */
  reservedConnections: defaulted(Count, 10),
})

export const RedisEndpoint = Schema.Struct({
  ...Endpoint.fields,
  /** PEM of the CA of a managed Redis (cloud mode); public, so it lives in the platform file. */
  caPem: Schema.optionalKey(Schema.String),
  /** The server's `maxclients` (self-hosted: what cluster/ sets; cloud: the provider's). */
  maxClients: defaulted(Count, 10_000),
  /** Clients kept for the platform (admin, provisioning, monitoring). */
  reservedClients: defaulted(Count, 10),
  /** The server's `maxmemory` in MiB (self-hosted: what cluster/ sets; cloud: the plan's size). */
  maxMemoryMiB: defaulted(Count, 1024),
})

export const Platform = Schema.Struct({
  /** `{tenant}.{baseDomain}` is every tenant's canonical hostname. */
  baseDomain: Hostname,
  mode: DeploymentMode,
  ingressClass: defaulted(Schema.String, "traefik"),
  /** Namespace of the ingress controller, the only source allowed into tenant pods. */
  ingressNamespace: defaulted(Schema.String, "traefik"),
  clusterIssuer: defaulted(Schema.String, "letsencrypt-production"),
  /** Namespace running platform jobs (database/cache provisioning) and holding admin credentials. */
  platformNamespace: defaulted(Schema.String, "platform"),
  /** Secret in the platform namespace holding what operators provide (RESEND_API_KEY, …). */
  operatorSecret: defaulted(Schema.String, "email-provider"),
  /** The tenant API, and the clients the in-cluster provisioning Jobs run (psql, redis-cli). */
  images: Schema.Struct({ api: PinnedImage, postgresClient: PinnedImage, redisClient: PinnedImage }),
  postgres: Schema.Struct({ selfhosted: PostgresEndpoint, cloud: PostgresEndpoint }),
  redis: Schema.Struct({ selfhosted: RedisEndpoint, cloud: RedisEndpoint }),
  /**
   * Who may use which DNS names. `reserved`: domains the platform owns (its own hosts such as
   * Argo CD and login live there); no tenant may claim a name at or under one, nor under
   * `baseDomain`. `verified`: per tenant, the custom domains whose ownership the platform team
   * has verified; a tenant's custom hostnames must be at or under one of its own. A tenant file
   * alone can never grant itself a domain.
   */
  domains: defaulted(
    Schema.Struct({
      reserved: defaulted(Schema.Array(Hostname), []),
      verified: defaulted(Schema.Record(Schema.String, Schema.Array(Hostname)), {}),
    }),
    {},
  ),
  /**
   * What the cluster can give tenants in total: the fleet report sets the sums of the tenants'
   * quotas against it (quotas may overcommit; the report shows by how much).
   */
  capacity: Schema.optionalKey(
    Schema.Struct({ cpuMillis: Count, memoryMiB: Count, storageGiB: Count, pods: Schema.optionalKey(Count) }),
  ),
  /**
   * How a change of `images.api` reaches the fleet: ordered, health-gated waves. The default, one
   * wave of everyone, moves the whole fleet in one deploy commit (docs/rollouts.md).
   */
  rollout: defaulted(RolloutPolicy, {}),
  deploy: Schema.Struct({
    repoURL: Schema.String.check(
      Schema.isPattern(/^(https:\/\/|ssh:\/\/|git@|file:\/\/)/, { message: "must be a git URL" }),
    ),
    branch: defaulted(Schema.String, "deploy"),
    /**
     * The GPG keys the publish bot signs deploy commits with (more than one while rotating).
     * Every AppProject requires one of them, so Argo CD syncs no commit the bot did not sign;
     * the public keys go to Argo CD's keyring. Empty: unsigned (local trials only).
     */
    signingKeys: defaulted(Schema.Array(SigningKey), []),
  }),
})
export type Platform = typeof Platform.Type
export type PlatformInput = typeof Platform.Encoded

/** The endpoints of the platform's current mode. */
export const endpoints = (platform: Platform) => ({
  postgres: platform.postgres[platform.mode],
  redis: platform.redis[platform.mode],
})

const atOrUnder = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`)

/**
 * Why `tenant` may not serve `host` as a custom hostname, or undefined when it may: the name must
 * not be the platform's (its base domain or a reserved domain) and must be at or under one of the
 * domains verified for that tenant.
 */
export const customHostnameRefusal = (platform: Platform, tenant: string, host: string): string | undefined => {
  const owned = [platform.baseDomain, ...platform.domains.reserved].find((domain) => atOrUnder(host, domain))
  if (owned !== undefined)
    return owned === platform.baseDomain
      ? `${host} is under the platform domain ${owned}, which only canonical tenant hostnames may use`
      : `${host} is under ${owned}, which the platform reserves for itself`
  const verified = platform.domains.verified[tenant] ?? []
  if (!verified.some((domain) => atOrUnder(host, domain)))
    return `${host} is not under a domain verified for ${tenant} (${verified.join(", ") || "none"}): the platform team adds verified domains to domains.verified in the platform file`
  return undefined
}
