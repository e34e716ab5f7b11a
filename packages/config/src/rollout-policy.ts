import { createHash } from "node:crypto"
import { Schema } from "effect"
import { defaulted } from "./defaulted.ts"
import { LabelKey, LabelValue, TenantName } from "./names.ts"
import { recordOf } from "./record-of.ts"
import { Tiers } from "./tiers.ts"

/**
 * Which tenants a wave takes. Every criterion given must hold (names, tiers, labels, percent);
 * an empty selector takes everyone left.
 */
export const WaveSelector = Schema.Struct({
  names: Schema.optionalKey(Schema.Array(TenantName)),
  tiers: Schema.optionalKey(Schema.Array(Schema.Literals(Tiers))),
  labels: Schema.optionalKey(recordOf(LabelKey, LabelValue)),
  /** The tenants whose stable bucket (sha256 of the name → 0..99) is below this. */
  percent: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 100 }))),
})
export type WaveSelector = typeof WaveSelector.Type

const Seconds = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 7 * 24 * 3600 }))

export const Wave = Schema.Struct({
  name: Schema.String.check(Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: "must be a short slug" })),
  select: defaulted(WaveSelector, {}),
  /** How long every Application of the wave must stay Synced + Healthy before the next wave starts. */
  soakSeconds: defaulted(Seconds, 0),
  /**
   * The health condition: every Application Synced to the wave's commit, Healthy, last operation
   * Succeeded. A wave that is Degraded or whose sync failed halts at once; one that is not healthy
   * within `timeoutSeconds` halts too.
   */
  health: defaulted(Schema.Struct({ timeoutSeconds: defaulted(Seconds, 900) }), {}),
})
export type Wave = typeof Wave.Type

/** Ordered waves; a tenant belongs to the first whose selector matches, or to the last. */
export const RolloutPolicy = Schema.Struct({
  waves: defaulted(
    Schema.Array(Wave).check(
      Schema.isMinLength(1, { message: "must declare at least one wave" }),
      Schema.makeFilter((waves: ReadonlyArray<{ readonly name: string }>) =>
        new Set(waves.map((wave) => wave.name)).size === waves.length ? undefined : "wave names must be unique",
      ),
    ),
    [{ name: "everyone" }],
  ),
})
export type RolloutPolicy = typeof RolloutPolicy.Type

/** A tenant's stable bucket in [0, 100): the first four bytes of sha256(name), mod 100. */
export const bucketOf = (name: string): number =>
  createHash("sha256").update(name, "utf8").digest().readUInt32BE(0) % 100

interface WaveMember {
  readonly name: string
  readonly tier: string
  readonly labels: Readonly<Record<string, string>>
}

export const selects = (selector: WaveSelector, tenant: WaveMember): boolean =>
  (selector.names === undefined || selector.names.includes(tenant.name)) &&
  (selector.tiers === undefined || (selector.tiers as ReadonlyArray<string>).includes(tenant.tier)) &&
  (selector.labels === undefined ||
    Object.entries(selector.labels).every(([key, value]) => tenant.labels[key] === value)) &&
  (selector.percent === undefined || bucketOf(tenant.name) < selector.percent)

/** The index of the wave a tenant belongs to: a pure function of its name, tier, labels and the policy. */
export const waveIndexOf = (policy: RolloutPolicy, tenant: WaveMember): number => {
  const index = policy.waves.findIndex((wave) => selects(wave.select, tenant))
  return index === -1 ? policy.waves.length - 1 : index
}

interface Movable extends WaveMember {
  readonly image?: unknown
  readonly state: string
}

/** Whether a rollout moves this tenant: not when it pins its own image, nor while it is not active. */
export const rolledOut = (tenant: Movable): boolean => tenant.image === undefined && tenant.state === "active"

/** Each wave with the tenants it moves, in order (tenants sorted by name). */
export const planWaves = (
  policy: RolloutPolicy,
  tenants: ReadonlyArray<Movable>,
): ReadonlyArray<{ readonly wave: Wave; readonly tenants: ReadonlyArray<string> }> => {
  const moved = tenants.filter(rolledOut)
  return policy.waves.map((wave, index) => ({
    wave,
    tenants: moved
      .filter((tenant) => waveIndexOf(policy, tenant) === index)
      .map((tenant) => tenant.name)
      .sort(),
  }))
}
