import { canonicalHostname, namespaceOf } from "@ppi/config"
import type { TreeContext } from "../tree/context.ts"
import type { Folder, Placed } from "../tree/model.ts"
import { kindKey } from "../tree/placement.ts"
import { hostsOf } from "./services.ts"

/**
 * What a tenant folder claims in names others could also claim: the hostnames its Ingresses
 * serve, and the objects it places outside its own namespace (the platform's and Argo CD's
 * namespaces, cluster-scoped). Small, so a fleet's claims fit in memory when its objects do not.
 */
/** Where a claim was made: a file and `Kind/name` (not the object, which may be long gone). */
export interface ClaimSite {
  readonly path: string
  readonly object: string
}

export interface FolderClaims {
  readonly tenant: string
  readonly hosts: ReadonlyArray<{ readonly host: string; readonly at: ClaimSite }>
  readonly shared: ReadonlyArray<{ readonly key: string; readonly at: ClaimSite }>
}

const siteOf = (placed: Placed): ClaimSite => ({
  path: placed.path,
  object: `${placed.object.kind}/${placed.object.metadata.name}`,
})

export const claimsOf = (folder: Folder): FolderClaims => ({
  tenant: folder.tenant,
  hosts: folder.objects
    .filter((placed) => placed.object.kind === "Ingress")
    .flatMap((placed) => hostsOf(placed.object).map((host) => ({ host, at: siteOf(placed) }))),
  shared: folder.objects
    .filter((placed) => placed.namespace !== namespaceOf(placed.tenant))
    .map((placed) => ({
      key: `${kindKey(placed.object)}/${placed.namespace ?? ""}/${placed.object.metadata.name}`,
      at: siteOf(placed),
    })),
})

export interface FleetFinding {
  readonly at: ClaimSite
  readonly message: string
}

export interface FleetRule {
  readonly id: string
  readonly description: string
  readonly check: (claims: ReadonlyArray<FolderClaims>, context: TreeContext) => ReadonlyArray<FleetFinding>
}

/** Every claim of a hostname another tenant also serves is reported, on each side: neither owns it by order. */
const uniqueHostnames: FleetRule = {
  id: "hostnames/unique",
  description: "No hostname is served by two tenants",
  check: (claims) => {
    const servers = new Map<string, Set<string>>()
    for (const { tenant, hosts } of claims)
      for (const { host } of hosts) servers.set(host, (servers.get(host) ?? new Set()).add(tenant))
    return claims.flatMap(({ tenant, hosts }) =>
      hosts.flatMap(({ host, at }) => {
        const others = [...(servers.get(host) ?? [])].filter((other) => other !== tenant)
        return others.length === 0 ? [] : [{ at, message: `serves ${host}, which ${others.join(", ")} also serves` }]
      }),
    )
  },
}

const platformDomain: FleetRule = {
  id: "hostnames/platform-domain",
  description: "Under the platform's base domain, a tenant serves only its own canonical hostname",
  check: (claims, context) => {
    const base = context.baseDomain
    if (base === undefined) return []
    return claims.flatMap(({ tenant, hosts }) =>
      hosts
        .filter(({ host }) => (host === base || host.endsWith(`.${base}`)) && host !== canonicalHostname(tenant, base))
        .map(({ host, at }) => ({ at, message: `serves ${host}, reserved to the platform (${base})` })),
    )
  },
}

const concreteHostnames: FleetRule = {
  id: "hostnames/concrete",
  description: "Every Ingress rule names one concrete hostname (no wildcard, no catch-all rule without host)",
  check: (claims) =>
    claims.flatMap(({ hosts }) =>
      hosts
        .filter(({ host }) => host === "" || host.includes("*"))
        .map(({ host, at }) => ({
          at,
          message: host === "" ? "has a rule without host, which serves every hostname" : `serves ${host}`,
        })),
    ),
}

/** One object in a shared namespace written from two folders: whichever syncs last wins. */
const sharedOnce: FleetRule = {
  id: "tree/duplicate",
  description: "No object is defined twice",
  check: (claims) => {
    const first = new Map<string, { readonly tenant: string; readonly at: ClaimSite }>()
    return claims.flatMap(({ tenant, shared }) =>
      shared.flatMap(({ key, at }) => {
        const earlier = first.get(key)
        if (earlier === undefined) {
          first.set(key, { tenant, at })
          return []
        }
        // Within one folder, tree/duplicate already reports it.
        return earlier.tenant === tenant ? [] : [{ at, message: `also defined by ${earlier.at.path}` }]
      }),
    )
  },
}

export const fleetRules: ReadonlyArray<FleetRule> = [uniqueHostnames, platformDomain, concreteHostnames, sharedOnce]
