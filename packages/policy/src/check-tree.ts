import type { KubeObject, ObjectRule, TenantRule } from "./kube-object.ts"
import { field, list } from "./kube-object.ts"
import { objectRules, tenantRules } from "./rule-set.ts"
import { platformProject, projectFields, projectSignature, projectSources, tenantArgoRules } from "./rules/argocd.ts"
import { credentialRules } from "./rules/credentials.ts"
import { claimsOf, type FolderClaims, fleetRules } from "./rules/fleet.ts"
import { namespacePodSecurity, namespacePresent, namespaceTenantLabel } from "./rules/namespace-labels.ts"
import { networkRules } from "./rules/network.ts"
import { placementRules } from "./rules/placement.ts"
import { noPlaintextSecrets } from "./rules/plaintext-secrets.ts"
import { podRules } from "./rules/pods.ts"
import { rbacRules } from "./rules/rbac.ts"
import { serviceRules } from "./rules/services.ts"
import { contextOf, type TreeContext, type TreeOptions } from "./tree/context.ts"
import type { Finding, Folder, Placed, TreeViolation } from "./tree/model.ts"
import { normalizePath, parseTree } from "./tree/parse-tree.ts"
import { landingNamespace } from "./tree/placement.ts"
import { perObject, type TreeRule } from "./tree/rule.ts"

/** An ObjectRule judged on every object of a folder. */
const fromObjectRule = (rule: ObjectRule): TreeRule =>
  perObject(rule.id, rule.description, ({ object }) => rule.check(object))

/** What the object really is once applied: the namespace it lands in, none for a cluster-scoped kind. */
const effective = (placed: Placed): KubeObject => {
  const { namespace: _claimed, ...metadata } = placed.object.metadata
  return {
    ...placed.object,
    metadata: placed.namespace === undefined ? metadata : { ...metadata, namespace: placed.namespace },
  }
}

/** A TenantRule judged on a folder's objects as they land. */
const fromTenantRule = (rule: TenantRule): TreeRule => ({
  id: rule.id,
  description: rule.description,
  check: (folder) =>
    rule.check(folder.objects.map(effective), folder.tenant).map((message) => ({ at: undefined, message })),
})

/** Places an in-memory object as if it were read from `path` (synth checks what it is about to write). */
export const place = (path: string, object: KubeObject, context: TreeContext): Placed => {
  const [tenant = "", component = ""] = path.split("/")
  return { path, tenant, component, object, namespace: landingNamespace(object, tenant, context) }
}

const toViolation =
  (rule: string, folder: string) =>
  ({ at, message }: Finding): TreeViolation =>
    at === undefined
      ? { path: `${folder}/`, object: `tenant/${folder}`, rule, message }
      : { path: at.path, object: `${at.object.kind}/${at.object.metadata.name}`, rule, message }

const run = (rules: ReadonlyArray<TreeRule>, folder: Folder, context: TreeContext): ReadonlyArray<TreeViolation> =>
  rules.flatMap((rule) => rule.check(folder, context).map(toViolation(rule.id, folder.tenant)))

const byPosition = (a: TreeViolation, b: TreeViolation): number =>
  a.path.localeCompare(b.path) ||
  a.object.localeCompare(b.object) ||
  a.rule.localeCompare(b.rule) ||
  a.message.localeCompare(b.message)

/** The tenant folder's rules, in order. */
const tenantFolderRules = (): ReadonlyArray<TreeRule> => [
  ...placementRules,
  namespacePresent,
  namespacePodSecurity,
  namespaceTenantLabel,
  ...tenantArgoRules,
  ...rbacRules,
  ...networkRules,
  ...serviceRules,
  ...podRules,
  ...credentialRules,
  ...objectRules.map(fromObjectRule),
  ...tenantRules.map(fromTenantRule),
]

/** Every rule `checkTree` runs, by id (several rules may share one): for docs and coverage tests. */
export const treeRules = (): ReadonlyArray<{ readonly id: string; readonly description: string }> => {
  const all = [...tenantFolderRules(), ...fleetRules, platformProject]
  return [...new Map(all.map((rule) => [rule.id, { id: rule.id, description: rule.description }])).values()]
}

/**
 * Checks one first-level folder: a tenant's (every rule) or the fleet folder (placement and the
 * platform project's own fields; its reach is judged with the fleet, see `checkFleet`).
 */
export const checkFolder = (folder: Folder, context: TreeContext): ReadonlyArray<TreeViolation> =>
  folder.tenant === context.fleetFolder
    ? run(
        [...placementRules, projectFields, projectSources, projectSignature, fromObjectRule(noPlaintextSecrets)],
        folder,
        context,
      )
    : run(tenantFolderRules(), folder, context)

/** Rules across folders: hostnames, objects two folders write, the platform project's reach. */
export const checkFleet = (
  claims: ReadonlyArray<FolderClaims>,
  fleet: Folder | undefined,
  context: TreeContext,
): ReadonlyArray<TreeViolation> => {
  const tenants = claims.map((claim) => claim.tenant).filter((tenant) => tenant !== context.fleetFolder)
  return [
    ...fleetRules.flatMap((rule) =>
      rule.check(claims, context).map(({ at, message }) => ({ ...at, rule: rule.id, message })),
    ),
    ...(fleet === undefined
      ? []
      : platformProject.check(fleet, tenants, context).map(toViolation(platformProject.id, fleet.tenant))),
  ]
}

/**
 * Without a platform file the deploy repository is the one the tree's Argo CD objects name most:
 * every other one is then reported (a tree naming two repositories is caught either way).
 */
const withDeployRepo = (folders: ReadonlyArray<Folder>, context: TreeContext): TreeContext => {
  if (context.deployRepo !== undefined) return context
  const counts = new Map<string, number>()
  for (const folder of folders)
    for (const { object } of folder.objects)
      for (const repo of [...list(field(object, "spec", "sourceRepos")), field(object, "spec", "source", "repoURL")])
        if (typeof repo === "string") counts.set(repo, (counts.get(repo) ?? 0) + 1)
  const [repo] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? []
  return repo === undefined
    ? context
    : { ...context, deployRepo: repo, notes: [...context.notes, `deploy repository taken to be ${repo}`] }
}

export interface TreeReport {
  readonly violations: ReadonlyArray<TreeViolation>
  readonly notes: ReadonlyArray<string>
  readonly objects: number
}

/**
 * The whole rule set over a folder tree: relative path → YAML content (a synth output, a checkout
 * of the deploy branch, or the exact tree publish is about to commit). Violations come sorted.
 */
export const checkTree = (files: ReadonlyMap<string, string>, options: TreeOptions = {}): TreeReport => {
  const base = contextOf(options)
  const { folders, problems } = parseTree(files, base)
  const context = withDeployRepo(folders, base)
  const violations = [
    ...problems,
    ...folders.flatMap((folder) => checkFolder(folder, context)),
    ...checkFleet(
      folders.map(claimsOf),
      folders.find((folder) => folder.tenant === context.fleetFolder),
      context,
    ),
  ]
  return {
    violations: [...violations].sort(byPosition),
    notes: context.notes,
    objects: folders.reduce((sum, folder) => sum + folder.objects.length, 0),
  }
}

/**
 * `checkTree` for a tree that differs from an already checked one (the deploy head) in a few
 * folders: every rule on the folders that changed (and the fleet folder), the fleet-wide rules
 * over every folder. An unchanged folder is byte-identical to one that passed, so only its claims
 * are needed: `claimsOf` gives them without parsing (synth's metadata), else the folder is parsed.
 */
export const checkTreeChanges = (
  files: ReadonlyMap<string, string>,
  checked: ReadonlyMap<string, string>,
  options: TreeOptions = {},
  knownClaims: (folder: string) => FolderClaims | undefined = () => undefined,
): TreeReport => {
  const folderOf = (path: string) => (path.includes("/") ? (normalizePath(path).split("/")[0] ?? "") : "")
  const base = contextOf(options)
  const changed = new Set<string>([base.fleetFolder])
  for (const [path, content] of files) if (checked.get(path) !== content) changed.add(folderOf(path))
  for (const path of checked.keys()) if (!files.has(path)) changed.add(folderOf(path))
  const unchanged = new Set([...files.keys()].map(folderOf).filter((folder) => folder !== "" && !changed.has(folder)))
  const claimed = new Map<string, FolderClaims>()
  for (const folder of unchanged) {
    const claims = knownClaims(folder)
    if (claims !== undefined && claims.tenant === folder) claimed.set(folder, claims)
  }
  const parsed = parseTree(new Map([...files].filter(([path]) => !claimed.has(folderOf(path)))), base)
  const context = withDeployRepo(parsed.folders, base)
  const violations = [
    ...parsed.problems,
    ...parsed.folders.filter((folder) => changed.has(folder.tenant)).flatMap((folder) => checkFolder(folder, context)),
    ...checkFleet(
      [...parsed.folders.map(claimsOf), ...claimed.values()],
      parsed.folders.find((folder) => folder.tenant === context.fleetFolder),
      context,
    ),
  ]
  return {
    violations: [...violations].sort(byPosition),
    notes: context.notes,
    objects: parsed.folders.reduce((sum, folder) => sum + folder.objects.length, 0),
  }
}
