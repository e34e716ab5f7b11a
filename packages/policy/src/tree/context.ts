import { ARGOCD_NAMESPACE, DATA_NAMESPACE, dataNamespaceOf, endpoints, FLEET_FOLDER, type Platform } from "@ppi/config"

/**
 * What the rules compare a tree against. Everything has a safe default but the values only the
 * platform file knows (deploy repository, base domain, images, data endpoints): without it those
 * checks fall back to weaker forms (consistency instead of equality) or are skipped with a note.
 */
export interface TreeContext {
  readonly argocdNamespace: string
  readonly platformNamespace: string
  readonly ingressNamespace: string
  readonly fleetFolder: string
  readonly operatorSecret: string
  /** The in-cluster data services tenants may reach: their namespace and pod labels. */
  readonly dataPeers: ReadonlyArray<DataPeer>
  /** The address ranges tenants may reach (managed data services); undefined: private ranges only. */
  readonly dataCidrs: ReadonlyArray<string> | undefined
  readonly deployRepo: string | undefined
  readonly deployBranch: string | undefined
  /** The key IDs every AppProject must require of a commit; undefined: no platform file, not checked. */
  readonly signingKeys: ReadonlyArray<string> | undefined
  readonly baseDomain: string | undefined
  readonly ingressClass: string | undefined
  readonly clusterIssuer: string | undefined
  /** Image repositories per place: the tenant API; the provisioning clients. */
  readonly apiImages: ReadonlyArray<string> | undefined
  readonly provisioningImages: ReadonlyArray<string> | undefined
  /** `Kind` or `component:Kind` entries accepted even though synth never emits them. */
  readonly allowKinds: ReadonlyArray<string>
  /** Why some checks were weakened: printed by the CLI. */
  readonly notes: ReadonlyArray<string>
}

export interface DataPeer {
  readonly namespace: string
  readonly podLabels: Readonly<Record<string, string>> | undefined
}

/** The default platform file's data services. */
const DEFAULT_DATA_PEERS: ReadonlyArray<DataPeer> = [
  { namespace: DATA_NAMESPACE, podLabels: { "app.kubernetes.io/name": "postgres" } },
  { namespace: DATA_NAMESPACE, podLabels: { "app.kubernetes.io/name": "redis" } },
]

export interface TreeOptions {
  readonly platform?: Platform | undefined
  readonly allowKinds?: ReadonlyArray<string> | undefined
}

export const contextOf = (options: TreeOptions = {}): TreeContext => {
  const { platform } = options
  const allowKinds = options.allowKinds ?? []
  if (platform === undefined)
    return {
      argocdNamespace: ARGOCD_NAMESPACE,
      platformNamespace: "platform",
      ingressNamespace: "traefik",
      fleetFolder: FLEET_FOLDER,
      operatorSecret: "email-provider",
      dataPeers: DEFAULT_DATA_PEERS,
      dataCidrs: undefined,
      deployRepo: undefined,
      deployBranch: undefined,
      signingKeys: undefined,
      baseDomain: undefined,
      ingressClass: undefined,
      clusterIssuer: undefined,
      apiImages: undefined,
      provisioningImages: undefined,
      allowKinds,
      notes: [
        "no platform file: platform defaults assumed; the deploy repository must only be the same everywhere; hostnames under the platform domain and image repositories not checked (pass --platform FILE)",
      ],
    }
  const { postgres, redis } = endpoints(platform)
  const cidrs = [...(postgres.cidrs ?? []), ...(redis.cidrs ?? [])]
  return {
    argocdNamespace: ARGOCD_NAMESPACE,
    platformNamespace: platform.platformNamespace,
    ingressNamespace: platform.ingressNamespace,
    fleetFolder: FLEET_FOLDER,
    operatorSecret: platform.operatorSecret,
    dataPeers: [postgres, redis].flatMap((endpoint) =>
      endpoint.cidrs === undefined ? [{ namespace: dataNamespaceOf(endpoint), podLabels: endpoint.podLabels }] : [],
    ),
    dataCidrs: cidrs,
    deployRepo: platform.deploy.repoURL,
    deployBranch: platform.deploy.branch,
    signingKeys: platform.deploy.signingKeys.map(({ keyID }) => keyID),
    baseDomain: platform.baseDomain,
    ingressClass: platform.ingressClass,
    clusterIssuer: platform.clusterIssuer,
    apiImages: [platform.images.api.repository],
    provisioningImages: [platform.images.postgresClient.repository, platform.images.redisClient.repository],
    allowKinds,
    notes: [],
  }
}
