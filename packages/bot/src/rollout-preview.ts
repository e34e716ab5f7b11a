import {
  decodeRolloutState,
  type Platform,
  planWaves,
  ROLLOUT_FILE,
  type RolloutState,
  sameImage,
  type Tenant,
} from "@ppi/config"
import type { Tree } from "@ppi/synth"

const stateOf = (tree: Tree): RolloutState | undefined => {
  const text = tree.get(ROLLOUT_FILE)
  return text === undefined ? undefined : decodeRolloutState(JSON.parse(text))
}

const list = (names: ReadonlyArray<string>, most = 8) =>
  names.length === 0
    ? "no tenant"
    : `${names
        .slice(0, most)
        .map((name) => `\`${name}\``)
        .join(", ")}${names.length > most ? ` and ${names.length - most} more` : ""}`

/**
 * The preview's words for a change that starts a rollout: "this change rolls out in N waves: …",
 * each wave with its tenants and soak time, in the order the bot will move them.
 */
export const rolloutNotice = (
  before: Tree,
  after: Tree,
  platform: Platform,
  tenants: ReadonlyArray<Tenant>,
): string | undefined => {
  const next = stateOf(after)
  if (next === undefined || next.status !== "rolling" || sameImage(next.from, next.to)) return undefined
  const previous = stateOf(before)
  if (previous !== undefined && sameImage(previous.to, next.to)) return undefined
  const waves = planWaves(platform.rollout, tenants)
  const pinned = tenants.filter((tenant) => tenant.image !== undefined).map((tenant) => tenant.name)
  return [
    `> [!NOTE]`,
    `> This change rolls the API from \`${next.from.tag}\` to \`${next.to.tag}\` out in ${waves.length} wave${waves.length === 1 ? "" : "s"}: merging deploys wave 1 only; each next wave starts once the one before is Synced, Healthy and soaked (\`pnpm bot rollout\`).`,
    ">",
    ...waves.map(
      ({ wave, tenants: members }, index) =>
        `> ${index + 1}. **${wave.name}**: ${list(members)}${wave.soakSeconds > 0 ? `, soak ${wave.soakSeconds}s` : ""}`,
    ),
    ...(pinned.length > 0 ? [">", `> Not moved (they pin their own image): ${list(pinned)}.`] : []),
  ].join("\n")
}
