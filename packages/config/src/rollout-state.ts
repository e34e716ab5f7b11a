import { Schema } from "effect"
import { imageRef, PinnedImage, type Platform } from "./platform.ts"
import { rolledOut, waveIndexOf } from "./rollout-policy.ts"
import type { Tenant } from "./tenant.ts"

export const RolloutStatus = Schema.Literals(["rolling", "paused", "halted", "rolled-back", "done"])
export type RolloutStatus = typeof RolloutStatus.Type

export const WaveFailure = Schema.Struct({ tenant: Schema.String, reason: Schema.String })
export type WaveFailure = typeof WaveFailure.Type

/**
 * The rollout of the platform's API image from `from` to `to`. Tenants in waves up to `wave`
 * (0-based) run `to`, the others `from`; `done`: everyone runs `to`; `rolled-back`: everyone runs
 * `from` again. `since`: when the current wave (or status) began, ISO 8601.
 */
export const RolloutState = Schema.Struct({
  from: PinnedImage,
  to: PinnedImage,
  wave: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  since: Schema.String,
  status: RolloutStatus,
  failed: Schema.optionalKey(Schema.Array(WaveFailure)),
  /** The pull request that changed the version, where the bot reports a halt. */
  pullRequest: Schema.optionalKey(Schema.Int),
})
export type RolloutState = typeof RolloutState.Type

export const decodeRolloutState = Schema.decodeUnknownSync(RolloutState)

/** The state as the deploy branch stores it: stable key order, one trailing newline. */
export const encodeRolloutState = (state: RolloutState): string =>
  `${JSON.stringify(
    {
      from: state.from,
      to: state.to,
      wave: state.wave,
      since: state.since,
      status: state.status,
      ...(state.failed ? { failed: state.failed } : {}),
      ...(state.pullRequest === undefined ? {} : { pullRequest: state.pullRequest }),
    },
    null,
    2,
  )}\n`

/**
 * The API image a tenant runs: its own pin; else, during a rollout, `to` once its wave is reached
 * and `from` before; without a rollout state, the platform's. A tenant that is not active (or
 * pins) is never moved by a rollout: it gets `to` only when the rollout is done.
 */
export const apiImageFor = (tenant: Tenant, platform: Platform, state?: RolloutState): PinnedImage => {
  if (tenant.image) return { repository: platform.images.api.repository, ...tenant.image }
  if (state === undefined || state.status === "done") return state?.to ?? platform.images.api
  if (state.status === "rolled-back" || !rolledOut(tenant)) return state.from
  return waveIndexOf(platform.rollout, tenant) <= state.wave ? state.to : state.from
}

const EPOCH = new Date(0).toISOString()

export const sameImage = (a: PinnedImage, b: PinnedImage): boolean => imageRef(a) === imageRef(b)

/**
 * What a publish records, given the deployed state and main's API image: nothing deployed yet, no
 * rollout (everyone starts on main's version); the same target, the state unchanged; a new target,
 * a rollout from the last version the whole fleet ran, wave 0 first. A new version supersedes a
 * rollout in progress: waves that had the superseded one go back to `from` until their wave comes.
 */
export const rolloutOnPublish = (
  deployed: RolloutState | undefined,
  target: PinnedImage,
  platform: Platform,
  now: Date,
  pullRequest?: number,
): RolloutState => {
  // No rollout to time: a fixed `since`, so that the preview renders the very bytes publish will.
  if (deployed === undefined)
    return {
      from: target,
      to: target,
      wave: platform.rollout.waves.length - 1,
      since: EPOCH,
      status: "done",
    }
  if (sameImage(deployed.to, target)) return deployed
  const from = deployed.status === "done" ? deployed.to : deployed.from
  // Main went back to the version the fleet ran before: nothing to roll out, the fleet runs it.
  if (sameImage(from, target))
    return { from, to: target, wave: platform.rollout.waves.length - 1, since: now.toISOString(), status: "done" }
  return {
    from,
    to: target,
    wave: 0,
    since: now.toISOString(),
    status: "rolling",
    ...(pullRequest === undefined ? {} : { pullRequest }),
  }
}

/** `repo:tag@digest` → the pinned image (the deployed Deployment's `image:`). */
export const parseImageRef = (ref: string): PinnedImage | undefined => {
  const [name = "", digest] = ref.split("@")
  const colon = name.lastIndexOf(":")
  if (colon <= 0 || name.slice(colon).includes("/")) return undefined
  const image = { repository: name.slice(0, colon), tag: name.slice(colon + 1), ...(digest ? { digest } : {}) }
  return Schema.is(PinnedImage)(image) ? image : undefined
}
