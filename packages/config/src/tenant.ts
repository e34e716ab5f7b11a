import { Schema } from "effect"
import { defaulted } from "./defaulted.ts"
import { ContractNames, looksLikeSecretName } from "./env-contract.ts"
import {
  Email,
  EnvName,
  FeatureName,
  Hostname,
  ImageDigest,
  ImageTag,
  LabelKey,
  LabelValue,
  TenantName,
} from "./names.ts"
import { recordOf } from "./record-of.ts"
import { type Range, type TierName, TierSpecs } from "./tiers.ts"

const bounded = (range: Range, unit: string) =>
  defaulted(
    Schema.Int.check(
      Schema.isBetween(
        { minimum: range.min, maximum: range.max },
        { message: `must be an integer between ${range.min} and ${range.max}${unit} for this tier` },
      ),
    ),
    range.default,
  )

const LifecycleState = Schema.Literals(["active", "suspended", "decommissioned"])
export type LifecycleState = typeof LifecycleState.Type

/** Version override of the tenant API image; the repository stays the platform's. */
const ImageOverride = Schema.Struct({
  tag: ImageTag,
  digest: Schema.optionalKey(ImageDigest),
})

export const Owner = Schema.Struct({
  email: Email,
  team: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(63))),
})

const TenantEnv = recordOf(
  EnvName.check(
    Schema.makeFilter((name: string) =>
      ContractNames.has(name)
        ? `${name} is set by the platform (see the env contract) and cannot be overridden`
        : looksLikeSecretName(name)
          ? `${name} looks like a credential: credentials come from the secret store, never from the tenant file`
          : undefined,
    ),
  ),
  Schema.String.check(Schema.isMaxLength(4096, { message: "must be at most 4096 characters" })),
)

const tierStruct = <T extends TierName>(tier: T) => {
  const spec = TierSpecs[tier]
  return Schema.Struct({
    tier: Schema.Literal(tier),
    name: TenantName,
    displayName: Schema.optionalKey(
      Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(63, { message: "must be at most 63 characters" })),
    ),
    hostnames: defaulted(
      Schema.Array(Hostname).check(
        Schema.isMaxLength(spec.maxCustomHostnames, {
          message: `the ${tier} tier allows at most ${spec.maxCustomHostnames} custom hostnames`,
        }),
        Schema.isUnique({ message: "must not repeat a hostname" }),
      ),
      [],
    ),
    image: Schema.optionalKey(ImageOverride),
    replicas: bounded(spec.replicas, ""),
    resources: defaulted(
      Schema.Struct({
        cpuMillis: bounded(spec.cpuMillis, "m"),
        memoryMiB: bounded(spec.memoryMiB, " MiB"),
      }),
      {},
    ),
    env: defaulted(TenantEnv, {}),
    features: defaulted(recordOf(FeatureName, Schema.Boolean), {}),
    owner: Schema.optionalKey(Owner),
    labels: defaulted(recordOf(LabelKey, LabelValue), {}),
    state: defaulted(LifecycleState, "active"),
  })
}

export const FreeTenant = tierStruct("free")
export const ProTenant = tierStruct("pro")
export const EnterpriseTenant = tierStruct("enterprise")

/** A tenant: one member per tier. A new tier is one member here plus one arm in the synth. */
export const Tenant = Schema.Union([FreeTenant, ProTenant, EnterpriseTenant])

/** The decoded tenant, every default applied. */
export type Tenant = typeof Tenant.Type
/** What a tenant file default-exports: `{ name: "acme", tier: "pro" }` is enough. */
export type TenantInput = typeof Tenant.Encoded
