import { METADATA_FILE, type PinnedImage, type Platform, type Tenant } from "@ppi/config"
import { metadataText } from "../incremental/render-metadata.ts"
import type { CarriedFolder, WrittenFolder } from "../output/output-tree.ts"
import { type RenderedTenant, renderTenant } from "./render-tenant.ts"

/**
 * What the tree needs of one tenant: its folder, what it claims and what is wrong with it, not its
 * objects. A folder reused from an output on disk is carried over by reference, never read.
 */
export type TenantOutput = Omit<RenderedTenant, "objects"> & {
  readonly objectCount: number
  readonly carried?: Omit<CarriedFolder, "folder">
  /** Its files, already written to the new generation (streamed): their paths and metadata only. */
  readonly written?: Omit<WrittenFolder, "folder">
}

/** What a tenant's render depends on besides the platform: its API image, and the digests its folder is marked with. */
export interface TenantInputs {
  readonly apiImage: PinnedImage
  readonly inputs: Readonly<Record<string, string>>
  readonly hash: string
}

/** A tenant rendered afresh, its folder marked with the inputs it was made from (an empty folder gets no mark). */
export const renderFresh = (
  tenant: Tenant,
  platform: Platform,
  { apiImage, inputs, hash }: TenantInputs,
): TenantOutput => {
  const { objects, files, ...rest } = renderTenant(tenant, platform, apiImage)
  const withMetadata =
    objects.length === 0
      ? files
      : new Map([
          ...files,
          [METADATA_FILE, metadataText({ inputHash: hash, inputs, objects: objects.length, claims: rest.claims })],
        ])
  return { ...rest, files: withMetadata, objectCount: objects.length }
}
