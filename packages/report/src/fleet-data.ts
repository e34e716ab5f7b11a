import {
  decodeRolloutState,
  type Platform,
  ROLLOUT_FILE,
  type RolloutState,
  TENANT_LABEL,
  Tiers,
  waveIndexOf,
} from "@ppi/config"
import { contextOf, type KubeObject, parseTree } from "@ppi/policy"
import { cpuMillis, mebibytes } from "./quantity.ts"

export type TenantState = "active" | "suspended" | "decommissioned"

export interface TenantRow {
  readonly name: string
  readonly tier: string
  readonly state: TenantState
  /** The API image tag it runs (undefined once decommissioned). */
  readonly version: string | undefined
  readonly pinned: boolean
  /** The rollout wave it belongs to (by name), when it is moved by rollouts. */
  readonly wave: string | undefined
  readonly customDomains: ReadonlyArray<string>
  readonly quota: {
    readonly cpuMillis: number
    readonly memoryMiB: number
    readonly storageGiB: number
    readonly pods: number
  }
}

export interface WaveRow {
  readonly name: string
  readonly tenants: ReadonlyArray<string>
  readonly soakSeconds: number
  /** done: runs the rollout's new version; current: the wave being rolled/halted; pending: still on the old one. */
  readonly progress: "done" | "current" | "pending"
  /** Tenants of the wave per version they run now. */
  readonly versions: Readonly<Record<string, number>>
}

export interface Provenance {
  readonly deployCommit?: string
  readonly sourceCommit?: string
  readonly pullRequest?: number
}

export interface FleetData {
  readonly tenants: ReadonlyArray<TenantRow>
  readonly byTier: Readonly<Record<string, number>>
  readonly byState: Readonly<Record<TenantState, number>>
  readonly versions: Readonly<Record<string, number>>
  readonly quota: TenantRow["quota"]
  readonly capacity: Platform["capacity"]
  readonly rollout: RolloutState | undefined
  readonly waves: ReadonlyArray<WaveRow>
  readonly provenance: Provenance
}

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)
const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}

const containersOf = (deployment: KubeObject) =>
  (record(record(record(deployment.spec).template).spec).containers as ReadonlyArray<Record<string, unknown>>) ?? []

/** The hosts a tenant's ingresses serve besides its canonical one, sorted. */
const customDomainsOf = (objects: ReadonlyArray<KubeObject>, canonical: string): ReadonlyArray<string> =>
  objects
    .filter((object) => object.kind === "Ingress")
    .flatMap((ingress) =>
      ((record(ingress.spec).rules as ReadonlyArray<Record<string, unknown>>) ?? []).map((rule) => str(rule.host)),
    )
    .filter((host): host is string => host !== undefined && host !== canonical)
    .sort()

/** A tenant's ResourceQuota in the report's units (zero where a limit is absent). */
const quotaOf = (objects: ReadonlyArray<KubeObject>): TenantRow["quota"] => {
  const hard = record(record(objects.find((object) => object.kind === "ResourceQuota")?.spec).hard) as Record<
    string,
    string
  >
  return {
    cpuMillis: cpuMillis(hard["requests.cpu"]),
    memoryMiB: mebibytes(hard["requests.memory"]),
    storageGiB: mebibytes(hard["requests.storage"]) / 1024,
    pods: Number(hard.pods ?? 0),
  }
}

/** One tenant folder's row; none for a folder without a Namespace (the fleet's own). */
const tenantRowOf = (
  objects: ReadonlyArray<KubeObject>,
  folder: string,
  platform: Platform,
  rollout: RolloutState | undefined,
): TenantRow | undefined => {
  const namespace = objects.find((object) => object.kind === "Namespace")
  if (namespace === undefined) return undefined
  const labels = record(namespace.metadata.labels) as Record<string, string>
  const name = labels[TENANT_LABEL] ?? folder
  const tier = labels["platform.parametric.dev/tier"] ?? "?"
  const deployment = objects.find((object) => object.kind === "Deployment" && object.metadata.name === "api")
  const image = deployment === undefined ? undefined : str(containersOf(deployment)[0]?.image)
  const replicas = deployment === undefined ? undefined : record(deployment.spec).replicas
  const state: TenantState = deployment === undefined ? "decommissioned" : replicas === 0 ? "suspended" : "active"
  const version = image === undefined ? undefined : /:([^:@/]+)(@|$)/.exec(image)?.[1]
  // The tree does not say who pins: a version that is neither of the rollout's (or the platform's) is a pin.
  const pinned =
    version !== undefined &&
    (rollout === undefined
      ? version !== platform.images.api.tag
      : version !== rollout.from.tag && version !== rollout.to.tag)
  const moved = state === "active" && !pinned
  return {
    name,
    tier,
    state,
    version,
    pinned,
    wave: moved ? platform.rollout.waves[waveIndexOf(platform.rollout, { name, tier, labels })]?.name : undefined,
    customDomains: customDomainsOf(objects, `${name}.${platform.baseDomain}`),
    quota: quotaOf(objects),
  }
}

/** Where a wave stands in the rollout: every wave is done without a rollout, pending after a rollback. */
const waveProgressOf = (rollout: RolloutState | undefined, index: number): WaveRow["progress"] =>
  rollout === undefined || rollout.status === "done"
    ? "done"
    : rollout.status === "rolled-back"
      ? "pending"
      : index < rollout.wave
        ? "done"
        : index === rollout.wave
          ? "current"
          : "pending"

/** How many of the rows run each version (decommissioned tenants run none). */
const versionCounts = (rows: ReadonlyArray<TenantRow>): Record<string, number> => {
  const versions: Record<string, number> = {}
  for (const row of rows) if (row.version) versions[row.version] = (versions[row.version] ?? 0) + 1
  return versions
}

/** Each of the platform's waves: its members, its progress and the versions they run. */
const wavesOf = (
  tenants: ReadonlyArray<TenantRow>,
  platform: Platform,
  rollout: RolloutState | undefined,
): ReadonlyArray<WaveRow> =>
  platform.rollout.waves.map((wave, index): WaveRow => {
    const members = tenants.filter((row) => row.wave === wave.name)
    return {
      name: wave.name,
      tenants: members.map((row) => row.name),
      soakSeconds: wave.soakSeconds,
      progress: waveProgressOf(rollout, index),
      versions: versionCounts(members),
    }
  })

/**
 * The fleet as the synthesized tree describes it, whatever its file layout (one object per file
 * or one multi-document manifest per component): read with the policy's manifest reader.
 */
export const fleetData = (
  tree: ReadonlyMap<string, string>,
  platform: Platform,
  provenance: Provenance = {},
): FleetData => {
  const { folders } = parseTree(tree, contextOf({ platform }))
  const rolloutText = tree.get(ROLLOUT_FILE)
  const rollout = rolloutText === undefined ? undefined : decodeRolloutState(JSON.parse(rolloutText))
  const tenants = folders
    .map((folder) =>
      tenantRowOf(
        folder.objects.map((placed) => placed.object),
        folder.tenant,
        platform,
        rollout,
      ),
    )
    .filter((row): row is TenantRow => row !== undefined)
  tenants.sort((a, b) => (a.name < b.name ? -1 : 1))
  const count = <K extends string>(keys: ReadonlyArray<K>, of: (row: TenantRow) => K | undefined) =>
    Object.fromEntries(keys.map((key) => [key, tenants.filter((row) => of(row) === key).length])) as Record<K, number>
  const sum = (of: (row: TenantRow) => number) => tenants.reduce((total, row) => total + of(row), 0)
  return {
    tenants,
    byTier: count(Tiers, (row) => row.tier as (typeof Tiers)[number]),
    byState: count(["active", "suspended", "decommissioned"] as const, (row) => row.state),
    versions: versionCounts(tenants),
    quota: {
      cpuMillis: sum((row) => row.quota.cpuMillis),
      memoryMiB: sum((row) => row.quota.memoryMiB),
      storageGiB: sum((row) => row.quota.storageGiB),
      pods: sum((row) => row.quota.pods),
    },
    capacity: platform.capacity,
    rollout,
    waves: wavesOf(tenants, platform, rollout),
    provenance,
  }
}
