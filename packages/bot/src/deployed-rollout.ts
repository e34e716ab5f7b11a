import {
  decodeRolloutState,
  type Platform,
  parseImageRef,
  ROLLOUT_FILE,
  type RolloutState,
  sameImage,
  type Tenant,
} from "@ppi/config"
import type { Tree } from "@ppi/synth"
import { parseAllDocuments } from "yaml"

/** The image the tenant's API Deployment runs on the deploy branch (`<tenant>/app/manifest.yaml`). */
const deployedApiImage = (deployed: Tree, tenant: string): string | undefined => {
  for (const document of parseAllDocuments(deployed.get(`${tenant}/app/manifest.yaml`) ?? "")) {
    const object = document.toJS() as {
      kind?: string
      metadata?: { name?: string }
      spec?: { template?: { spec?: { containers?: ReadonlyArray<{ image?: string }> } } }
    } | null
    if (object?.kind === "Deployment" && object.metadata?.name === "api")
      return object.spec?.template?.spec?.containers?.[0]?.image
  }
  return undefined
}

/**
 * The rollout state the deploy branch records. A deploy branch from before rollouts has none:
 * then the version most of its unpinned tenants run is taken as a finished rollout, so that the
 * first publish of a new version still goes wave by wave.
 */
export const deployedRollout = (
  deployed: Tree,
  platform: Platform,
  tenants: ReadonlyArray<Tenant>,
): RolloutState | undefined => {
  const recorded = deployed.get(ROLLOUT_FILE)
  if (recorded !== undefined) return decodeRolloutState(JSON.parse(recorded))
  const counts = new Map<string, number>()
  for (const tenant of tenants) {
    if (tenant.image !== undefined) continue
    const image = deployedApiImage(deployed, tenant.name)
    if (image !== undefined) counts.set(image, (counts.get(image) ?? 0) + 1)
  }
  const [common] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  const image = common === undefined ? undefined : parseImageRef(common[0])
  if (image === undefined || image.repository !== platform.images.api.repository) return undefined
  return {
    from: image,
    to: image,
    wave: platform.rollout.waves.length - 1,
    since: new Date(0).toISOString(),
    status: "done",
  }
}

/** One line for commit trailers and logs: `1.4.1 → 1.4.2: wave 1/4 (canary), rolling`. */
export const describeRollout = (state: RolloutState, platform: Platform): string =>
  sameImage(state.from, state.to)
    ? `${state.to.tag}: ${state.status}`
    : `${state.from.tag} → ${state.to.tag}: wave ${Math.min(state.wave, platform.rollout.waves.length - 1) + 1}/${platform.rollout.waves.length} (${platform.rollout.waves[Math.min(state.wave, platform.rollout.waves.length - 1)]?.name ?? "?"}), ${state.status}`
