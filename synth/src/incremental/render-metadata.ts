import { METADATA_FILE } from "@ppi/config"
import type { FolderClaims } from "@ppi/policy"
import { Option, Schema } from "effect"

const ClaimSite = Schema.Struct({ path: Schema.String, object: Schema.String })

/**
 * `<tenant>/synth.metadata`: what a tenant folder was rendered from (the hash of its named
 * inputs, and each input's digest) and what the fleet-wide checks need of it without
 * re-rendering (its object count, its claims on hostnames and shared names).
 */
export const RenderMetadata = Schema.Struct({
  inputHash: Schema.String,
  inputs: Schema.Record(Schema.String, Schema.String),
  objects: Schema.Number,
  claims: Schema.Struct({
    tenant: Schema.String,
    hosts: Schema.Array(Schema.Struct({ host: Schema.String, at: ClaimSite })),
    shared: Schema.Array(Schema.Struct({ key: Schema.String, at: ClaimSite })),
  }),
})
export type RenderMetadata = typeof RenderMetadata.Type

/** Deterministic text: fixed key order, sorted inputs, two-space indent (reviewable in a deploy diff). */
export const metadataText = (metadata: {
  readonly inputHash: string
  readonly inputs: Readonly<Record<string, string>>
  readonly objects: number
  readonly claims: FolderClaims
}): string =>
  `${JSON.stringify(
    {
      inputHash: metadata.inputHash,
      inputs: metadata.inputs,
      objects: metadata.objects,
      claims: {
        tenant: metadata.claims.tenant,
        hosts: metadata.claims.hosts.map(({ host, at }) => ({ host, at: { path: at.path, object: at.object } })),
        shared: metadata.claims.shared.map(({ key, at }) => ({ key, at: { path: at.path, object: at.object } })),
      },
    },
    null,
    2,
  )}\n`

const decode = Schema.decodeUnknownOption(RenderMetadata)

/** A previous output's metadata; none when absent or unreadable (the tenant is then rendered again). */
export const readMetadata = (text: string | undefined): RenderMetadata | undefined => {
  if (text === undefined) return undefined
  try {
    return Option.getOrUndefined(decode(JSON.parse(text)))
  } catch {
    return undefined
  }
}

export const metadataPath = (tenant: string): string => `${tenant}/${METADATA_FILE}`
