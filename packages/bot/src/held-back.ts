import { FLEET_FOLDER, type Platform } from "@ppi/config"
import { renderFleet, type Tree } from "@ppi/synth"

const folderOf = (file: string) => file.split("/")[0] ?? ""

/** The hostnames a tenant's Ingress objects route, read off their `host:` lines. */
const hostsOf = (tree: Tree, tenant: string): ReadonlySet<string> =>
  new Set(
    [...tree]
      .filter(([file]) => folderOf(file) === tenant)
      .flatMap(([, text]) =>
        /^kind: Ingress$/m.test(text)
          ? [...text.matchAll(/^\s*-?\s*host: "?([^"\s]+)"?$/gm)].map((m) => m[1] ?? "")
          : [],
      ),
  )

/**
 * The tree to publish when some removals are held back: the held-back tenants keep their deployed
 * files, and so does any other tenant whose new files would route a hostname a held-back tenant
 * still serves (a rename that kept its custom domain): two Ingresses never claim one host.
 * Every other tenant publishes as synthesized.
 */
export const holdBack = (
  synthesized: Tree,
  deployed: Tree,
  removals: ReadonlyArray<string>,
): { readonly tree: Tree; readonly heldBack: ReadonlyArray<string> } => {
  if (removals.length === 0) return { tree: synthesized, heldBack: [] }
  const kept = new Set(removals.flatMap((tenant) => [...hostsOf(deployed, tenant)]))
  const tenants = [...new Set([...synthesized.keys()].map(folderOf))].filter((tenant) => !removals.includes(tenant))
  const clashing = tenants.filter((tenant) => [...hostsOf(synthesized, tenant)].some((host) => kept.has(host)))
  const held = new Set([...removals, ...clashing])
  const tree = new Map([...synthesized].filter(([file]) => !held.has(folderOf(file))))
  for (const [file, content] of deployed) if (held.has(folderOf(file)) && file.includes("/")) tree.set(file, content)
  return { tree, heldBack: [...held].sort() }
}

/**
 * The fleet folder re-rendered for the tenant folders actually published: with a tenant held back
 * (kept as deployed, or a new one withheld) the platform project must still allow exactly them.
 */
export const withFleetOf = (tree: Tree, platform: Platform): Tree => {
  const tenants = [
    ...new Set([...tree.keys()].filter((file) => file.includes("/")).map((file) => file.split("/")[0] ?? "")),
  ]
    .filter((tenant) => tenant !== FLEET_FOLDER)
    .sort()
  const next = new Map([...tree].filter(([file]) => !file.startsWith(`${FLEET_FOLDER}/`)))
  for (const [file, content] of renderFleet(platform, tenants).files) next.set(file, content)
  return next
}
