import { dbRoleOf, generatedSecretOf, namespaceOf, redisUserOf, type Tenant } from "@ppi/config"
import { planTenant, type TierPlan } from "@ppi/synth"
import { checkRemovals, tenantFolders } from "./deletion-guard.ts"
import type { ObjectChange, PreviewContext } from "./render-diff.ts"

/** The deletion guard's word on a pull request, before it merges. */
export interface GuardVerdict {
  readonly blocked: boolean
  /** Tenants the PR removes without decommissioning them (renamed ones included). */
  readonly removals: ReadonlyArray<string>
  /** `[from, to]`: a removed tenant whose settings reappear under a new name. */
  readonly renames: ReadonlyArray<readonly [string, string]>
  /** The whole fleet vanishes (a lost tenants/ folder). */
  readonly empty: boolean
  /** Tenants the deploy branch keeps from an earlier removal (not this PR's doing): a note, never a block. */
  readonly heldBack: ReadonlyArray<string>
}

export interface FleetInput {
  /** Tenants decoded from the base's tenant files (by text); absent when unknown. */
  readonly before?: ReadonlyMap<string, Tenant>
  /** Tenants decoded from the PR's tenant files (by text). */
  readonly after?: ReadonlyMap<string, Tenant>
  /** Folders of the deploy branch and of the PR's synth. */
  readonly beforeFiles: ReadonlyArray<string>
  readonly afterFiles: ReadonlyArray<string>
  readonly changes: ReadonlyArray<ObjectChange>
  /** Tenants already held back on the deploy branch, kept as deployed in `afterFiles`. */
  readonly heldBack?: ReadonlyArray<string>
}

/** A tenant without what a rename may change: what is left says whether two tenants are the same one. */
const identityFree = (tenant: Tenant) => {
  const { name: _name, displayName: _displayName, ...rest } = tenant
  return JSON.stringify(rest)
}

const guardVerdict = (input: FleetInput): GuardVerdict => {
  const before = tenantFolders(input.beforeFiles)
  const after = tenantFolders(input.afterFiles)
  const decommissioned = new Set(
    [...(input.after?.values() ?? [])].filter((tenant) => tenant.state === "decommissioned").map(({ name }) => name),
  )
  const refusal = checkRemovals({ before, after, decommissioned, allowRemovals: new Set(), allowEmpty: false })
  // Only what the PR itself drops from the base's tenants/ is its removal; a tenant the deploy branch
  // kept from an earlier merge is not this PR's doing.
  const removals = (refusal?.tenants ?? []).filter((name) => input.before === undefined || input.before.has(name))
  const added = [...after].filter((tenant) => !before.has(tenant))
  const renames = removals.flatMap((from): ReadonlyArray<readonly [string, string]> => {
    const old = input.before?.get(from)
    const to = added.find((name) => {
      const next = input.after?.get(name)
      return old !== undefined && next !== undefined && identityFree(old) === identityFree(next)
    })
    return to === undefined ? [] : [[from, to]]
  })
  const empty = refusal?.empty ?? false
  return { blocked: empty || removals.length > 0, removals, renames, empty, heldBack: input.heldBack ?? [] }
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`

const hpaMax = (plan: TierPlan) => (plan.autoscale === undefined ? "none" : String(plan.autoscale.max))

const arrow = (from: unknown, to: unknown) => `${String(from)} → ${String(to)}`

/** What changed in one tenant's settings, in words. */
const settingChanges = (old: Tenant, next: Tenant): ReadonlyArray<string> => {
  const words: Array<string> = []
  if (old.replicas !== next.replicas && old.tier === next.tier)
    words.push(`replicas ${arrow(old.replicas, next.replicas)}`)
  if (old.resources.cpuMillis !== next.resources.cpuMillis)
    words.push(`cpu ${arrow(`${old.resources.cpuMillis}m`, `${next.resources.cpuMillis}m`)}`)
  if (old.resources.memoryMiB !== next.resources.memoryMiB)
    words.push(`memory ${arrow(`${old.resources.memoryMiB}Mi`, `${next.resources.memoryMiB}Mi`)}`)
  const added = next.hostnames.filter((host) => !old.hostnames.includes(host))
  const removed = old.hostnames.filter((host) => !next.hostnames.includes(host))
  if (added.length > 0) words.push(`adds hostname ${added.join(", ")}`)
  if (removed.length > 0) words.push(`removes hostname ${removed.join(", ")}`)
  for (const key of [...new Set([...Object.keys(old.labels), ...Object.keys(next.labels)])].sort())
    if (old.labels[key] !== next.labels[key])
      words.push(`label ${key} ${arrow(old.labels[key] ?? "–", next.labels[key] ?? "–")}`)
  const envKeys = [...new Set([...Object.keys(old.env), ...Object.keys(next.env)])]
    .filter((key) => old.env[key] !== next.env[key])
    .sort()
  if (envKeys.length > 0) words.push(`env ${envKeys.join(", ")}`)
  const features = [...new Set([...Object.keys(old.features), ...Object.keys(next.features)])]
    .filter((key) => old.features[key] !== next.features[key])
    .sort()
  if (features.length > 0)
    words.push(`features ${features.map((key) => `${key} ${next.features[key] ? "on" : "off"}`).join(", ")}`)
  if (JSON.stringify(old.image) !== JSON.stringify(next.image))
    words.push(`image ${arrow(old.image?.tag ?? "platform default", next.image?.tag ?? "platform default")}`)
  if (JSON.stringify(old.owner) !== JSON.stringify(next.owner)) words.push("owner")
  if (old.displayName !== next.displayName) words.push("display name")
  return words
}

/** What a tier move changes, in words: from the synth's plan of each side (what it renders), not from YAML. */
const tierDeltas = (old: Tenant, next: Tenant): ReadonlyArray<string> => {
  const [from, to] = [planTenant(old), planTenant(next)]
  if (from === undefined || to === undefined) return []
  const cores = (plan: TierPlan) => plan.quota.cpuMillis / 1000
  return [
    ...(from.replicas !== to.replicas ? [`replicas ${arrow(from.replicas, to.replicas)}`] : []),
    ...(hpaMax(from) !== hpaMax(to) ? [`HPA max ${arrow(hpaMax(from), hpaMax(to))}`] : []),
    ...(cores(from) !== cores(to) ? [`quota cpu ${arrow(cores(from), cores(to))}`] : []),
    ...(from.topologySpread !== to.topologySpread ? [`topology spread ${to.topologySpread ? "on" : "off"}`] : []),
  ]
}

/** One tenant's change in words, or nothing when its settings did not change. */
const tenantWords = (name: string, old: Tenant | undefined, next: Tenant | undefined) => {
  if (next === undefined || old === undefined) return undefined
  if (old.state !== "decommissioned" && next.state === "decommissioned")
    return `decommissions tenant ${name} (workload removed; namespace, credentials and data retained)`
  const words: Array<string> = []
  if (old.state !== next.state)
    words.push(next.state === "suspended" ? `suspends ${name} (no pods; data kept)` : `resumes ${name}`)
  if (old.tier !== next.tier) {
    const deltas = tierDeltas(old, next)
    words.push(`moves ${name} ${old.tier} → ${next.tier}${deltas.length > 0 ? `: ${deltas.join(", ")}` : ""}`)
  }
  const settings = settingChanges(old, next)
  if (settings.length > 0) words.push(`changes ${name}: ${settings.join(", ")}`)
  return words.length > 0 ? words.join("; ") : undefined
}

const newTenantWords = (name: string, tenant: Tenant | undefined) => {
  if (tenant === undefined) return `adds tenant ${name}`
  const domains = tenant.hostnames.length
  const details = [tenant.tier, ...(domains > 0 ? [plural(domains, "custom domain")] : [])]
  return `adds tenant ${name} (${details.join(", ")}${tenant.state === "suspended" ? ", suspended" : ""})`
}

const retained = (name: string) =>
  `its namespace \`${namespaceOf(name)}\`, the credentials \`${generatedSecretOf(name)}\`, the PostgreSQL role and schema \`${dbRoleOf(name)}\` and the Redis user \`${redisUserOf(name)}\` with its keys`

/** The caution a blocked PR gets: how to offboard, rename or intend each removal. */
const guardNotice = (verdict: GuardVerdict): string | undefined => {
  if (verdict.empty)
    return [
      "> [!CAUTION]",
      "> **Blocked: this PR leaves no tenant at all.** A missing or unreadable `tenants/` folder would delete the whole fleet; publish refuses it (`--allow-empty` exists for an intended teardown).",
    ].join("\n")
  if (!verdict.blocked) return undefined
  const names = verdict.removals.map((name) => `\`${name}\``).join(", ")
  return [
    "> [!CAUTION]",
    `> **Blocked: this PR removes ${names} without decommissioning.** Merging would not remove ${verdict.removals.length === 1 ? "it" : "them"}: publish keeps ${verdict.removals.length === 1 ? "it" : "them"} deployed and reports the removal as held back, while every other tenant publishes. To proceed:`,
    ...verdict.removals.map(
      (name) =>
        `> - to offboard \`${name}\`: keep \`tenants/${name}.ts\` and set \`state: "decommissioned"\` (\`pnpm bot tenant decommission ${name}\`); ${retained(name)} are retained;`,
    ),
    ...verdict.renames.map(
      ([from, to]) =>
        `> - to rename \`${from}\` → \`${to}\`: a tenant's name is permanent (namespace, database role, Redis user), so keep \`tenants/${from}.ts\` decommissioned next to the new \`tenants/${to}.ts\`; \`${to}\` starts with empty data;`,
    ),
    `> - if the removal is intended: merge, then run the **Publish** workflow with \`allow-removal: ${verdict.removals.join(",")}\`.`,
  ].join("\n")
}

/** Tenants an earlier merge removed without decommissioning: still deployed, and the way out. */
const heldBackNotice = (heldBack: ReadonlyArray<string>, before: ReadonlyMap<string, Tenant> | undefined) => {
  const gone = heldBack.filter((name) => !before?.has(name))
  const waiting = heldBack.filter((name) => before?.has(name))
  const names = (list: ReadonlyArray<string>) => list.map((name) => `\`${name}\``).join(", ")
  return [
    "> [!NOTE]",
    `> **Already held back on the deploy branch: ${names(heldBack)}.** Not this PR's doing and not blocking it: ${gone.length === 1 ? "its file" : "their files"} left main without decommissioning, so publish keeps ${names(gone)} deployed${waiting.length > 0 ? `, and ${names(waiting)} waits, as ${waiting.length === 1 ? "it claims" : "they claim"} a hostname still served there` : ""}. The diff below keeps ${heldBack.length === 1 ? "it" : "them"} as deployed. The way out:`,
    ...gone.map(
      (name) =>
        `> - to offboard \`${name}\`: restore \`tenants/${name}.ts\` with \`state: "decommissioned"\` (${retained(name)} are retained);`,
    ),
    `> - if the removal is intended: run the **Publish** workflow with \`allow-removal: ${gone.join(",")}\`.`,
  ].join("\n")
}

const decommissionNotice = (name: string, removed: number) =>
  [
    "> [!NOTE]",
    `> **Decommissions \`${name}\`.** Removed from the deploy branch: ${plural(removed, "object")} (its workload, its Argo CD applications, its provisioning). Argo CD removes the workload; the platform application has no finalizer, so ${retained(name)} are **retained**. To delete the data on purpose, see _Data retention_ in the README.`,
  ].join("\n")

/** What the summary collects while it walks the changed tenants. */
interface Description {
  readonly words: Array<string>
  readonly notes: Map<string, string>
  readonly notices: Array<string>
  /** Tenants re-rendered although none of their settings changed. */
  readonly unexplained: Array<string>
}

/** What every tenant's description is read from, computed once per summary. */
interface Facts {
  readonly input: FleetInput
  readonly verdict: GuardVerdict
  readonly renamedFrom: ReadonlyMap<string, string>
  readonly beforeFolders: ReadonlySet<string>
  readonly afterFolders: ReadonlySet<string>
}

/** One changed tenant: blocked removal or rename, new, decommissioned, or its setting changes. */
const describeTenant = (name: string, facts: Facts, into: Description): void => {
  const { input, verdict, renamedFrom, beforeFolders, afterFolders } = facts
  const next = input.after?.get(name)
  const to = renamedFrom.get(name)
  if (to !== undefined) {
    into.words.push(`renames tenant ${name} → ${to} (blocked: decommission ${name} instead)`)
    into.notes.set(name, `**removal blocked** (renamed to \`${to}\`)`)
    into.notes.set(to, `new (rename of \`${name}\`)`)
  } else if (verdict.removals.includes(name)) {
    into.words.push(`removes tenant ${name} without decommissioning (blocked)`)
    into.notes.set(name, "**removal blocked**")
  } else if (!beforeFolders.has(name) && afterFolders.has(name)) {
    into.words.push(newTenantWords(name, next))
    into.notes.set(name, "new")
  } else if (next?.state === "decommissioned" && beforeFolders.has(name)) {
    const removed = input.changes.filter((change) => change.tenant === name && change.status === "removed").length
    into.words.push(`decommissions tenant ${name} (workload removed; namespace, credentials and data retained)`)
    into.notes.set(name, "decommissioned (data retained)")
    into.notices.push(decommissionNotice(name, removed))
  } else {
    const phrase = tenantWords(name, input.before?.get(name), next)
    if (phrase !== undefined) into.words.push(phrase)
    else into.unexplained.push(name)
  }
}

/**
 * What the PR does to the fleet, in words a reviewer reads in ten seconds, from the decoded
 * tenants of both sides and the rendered change; plus the guard's verdict as a notice that says
 * how to proceed, and the retained data of a decommission.
 */
export const describeFleetChange = (input: FleetInput): PreviewContext & { readonly verdict: GuardVerdict } => {
  const verdict = guardVerdict(input)
  const renamedTo = new Set(verdict.renames.map(([, to]) => to))
  const changedTenants = [...new Set(input.changes.map((change) => change.tenant))].filter(
    (tenant) => !tenant.startsWith("_"),
  )
  const description: Description = { words: [], notes: new Map(), notices: [], unexplained: [] }
  const facts: Facts = {
    input,
    verdict,
    renamedFrom: new Map(verdict.renames),
    beforeFolders: tenantFolders(input.beforeFiles),
    afterFolders: tenantFolders(input.afterFiles),
  }
  for (const name of [...new Set([...changedTenants, ...verdict.removals])].sort())
    if (!renamedTo.has(name)) describeTenant(name, facts, description)
  const { words, notes, notices, unexplained } = description
  if (unexplained.length > 0)
    words.push(
      `re-renders ${unexplained.length <= 3 ? unexplained.join(", ") : plural(unexplained.length, "tenant")} (platform or synth change, no tenant setting changed)`,
    )
  const fleet = input.changes.filter((change) => change.tenant.startsWith("_")).length
  if (fleet > 0) words.push(`updates ${plural(fleet, "fleet object")}`)
  if (verdict.heldBack.length > 0) notices.push(heldBackNotice(verdict.heldBack, input.before))
  const caution = guardNotice(verdict)
  if (caution !== undefined) notices.unshift(caution)
  const summary = words.length === 0 ? "No change to the fleet." : capitalize(`${words.join("; ")}.`)
  return { summary, notices, tenantNotes: notes, verdict }
}

const capitalize = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`
