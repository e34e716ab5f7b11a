import { createHash } from "node:crypto"
import type { Tree } from "@ppi/synth"
import { TextDiff } from "effect"
import { isManifestFile, type ManifestObject, treeObjects } from "./manifest-objects.ts"

export type ChangeStatus = "added" | "changed" | "removed"

/** One run of changed lines of an object, with the YAML path it sits under. */
export interface Hunk {
  /** `spec.template.metadata.labels`: where in the object the lines are. */
  readonly path: string
  readonly removed: ReadonlyArray<string>
  readonly added: ReadonlyArray<string>
}

export interface ObjectChange {
  /** `apiVersion/kind/namespace/name`. */
  readonly id: string
  /** `Deployment acme/api`: how a reviewer names the object. */
  readonly label: string
  readonly tenant: string
  /** The file it is in (after the change; before it, for a removal). */
  readonly file: string
  readonly status: ChangeStatus
  readonly before: ManifestObject | undefined
  readonly after: ManifestObject | undefined
  /** Changed lines by place (a changed object); the whole object as one hunk when added or removed. */
  readonly hunks: ReadonlyArray<Hunk>
  /** The object's diff as text, secrets redacted. */
  readonly diff: string
  /**
   * An added object next to the same object of an existing tenant of the same tier (its name
   * substituted): what is specific to the new tenant. Absent when no tenant has that object.
   */
  readonly reference?: { readonly tenant: string; readonly hunks: ReadonlyArray<Hunk> }
}

const labelOf = (object: ManifestObject): string =>
  `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`

const splitLines = (text: string): ReadonlyArray<string> => text.replace(/\n$/, "").split("\n")

const keyColumn = (line: string): number => /^(\s*(?:- )*)/.exec(line)?.[1]?.length ?? 0
const keyOf = (line: string): string | undefined => /^\s*(?:- )*("[^"]*"|[^:#\s][^:#]*?):(?:\s|$)/.exec(line)?.[1]

/** The YAML path of line `index`: the keys of the lines above it with a smaller indentation. */
const yamlPath = (lines: ReadonlyArray<string>, index: number): string => {
  const path: Array<string> = []
  let column = keyColumn(lines[index] ?? "")
  for (let i = index - 1; i >= 0 && column > 0; i--) {
    const line = lines[i] ?? ""
    const at = keyColumn(line)
    if (at < column && line.trim() !== "") {
      const key = keyOf(line)
      if (key !== undefined) path.unshift(key.replace(/^"|"$/g, ""))
      column = at
    }
  }
  return path.join(".") || "(top level)"
}

/** Changed runs of two texts, each placed at the YAML path of its first line. */
const hunksOf = (before: string, after: string): ReadonlyArray<Hunk> => {
  const old = splitLines(before)
  const next = splitLines(after)
  const hunks: Array<Hunk> = []
  let i = 0
  let j = 0
  let pending: { path: string; removed: Array<string>; added: Array<string> } | undefined
  const flush = () => {
    if (pending) hunks.push(pending)
    pending = undefined
  }
  for (const edit of TextDiff.lines(`${before.replace(/\n$/, "")}\n`, `${after.replace(/\n$/, "")}\n`)) {
    const items = edit.items.map((item) => item.replace(/\n$/, ""))
    if (edit._tag === "Equal") {
      flush()
      i += items.length
      j += items.length
    } else if (edit._tag === "Delete") {
      pending ??= { path: yamlPath(old, i), removed: [], added: [] }
      pending.removed.push(...items)
      i += items.length
    } else {
      pending ??= { path: yamlPath(next, j), removed: [], added: [] }
      pending.added.push(...items)
      j += items.length
    }
  }
  flush()
  return hunks
}

const hunkText = (hunk: Hunk): string =>
  [`@@ ${hunk.path}`, ...hunk.removed.map((line) => `-${line}`), ...hunk.added.map((line) => `+${line}`)].join("\n")

/** Only the files that differ: objects of identical files are identical on both sides. */
const differing = (before: Tree, after: Tree): readonly [Tree, Tree] => {
  const keep = (tree: Tree, other: Tree) =>
    new Map([...tree].filter(([file, content]) => isManifestFile(file) && other.get(file) !== content))
  return [keep(before, after), keep(after, before)]
}

const TIER_LABEL = /platform\.parametric\.dev\/tier: (\S+)/
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
const substitute = (text: string, from: string, to: string) => {
  const swap = (value: string, a: string, b: string) =>
    value.replace(new RegExp(`(?<![a-z0-9])${escapeRegExp(a)}(?![a-z0-9])`, "g"), b)
  // Database names spell the tenant with underscores (`tenant_acme_co`).
  const named = swap(text, from, to)
  return from.includes("-") || to.includes("-")
    ? swap(named, from.replaceAll("-", "_"), to.replaceAll("-", "_"))
    : named
}

/** How many existing tenants of the tier are tried as the reference (the closest one wins). */
const REFERENCE_CANDIDATES = 4

const linesOf = (hunks: ReadonlyArray<Hunk>) =>
  hunks.reduce((sum, hunk) => sum + hunk.removed.length + hunk.added.length, 0)

/**
 * An added tenant's objects next to the same objects of the closest existing tenant of the same
 * tier (else of any tier) that the change leaves in place, names substituted: what is left is
 * what is specific to the new tenant. Candidates are read from their own files only.
 */
const withReferences = (changes: ReadonlyArray<ObjectChange>, after: Tree): ReadonlyArray<ObjectChange> => {
  const tenantsWith = (status: ChangeStatus) =>
    new Set(changes.filter((change) => change.status === status).map((change) => change.tenant))
  const touched = new Set([...tenantsWith("changed"), ...tenantsWith("removed")])
  const added = new Set([...tenantsWith("added")].filter((tenant) => !touched.has(tenant)))
  if (added.size === 0) return changes
  const filesOf = new Map<string, Map<string, string>>()
  for (const [file, content] of after) {
    const folder = file.split("/")[0] ?? ""
    if (added.has(folder) || !/^[a-z][a-z0-9-]*$/.test(folder)) continue
    filesOf.set(folder, (filesOf.get(folder) ?? new Map()).set(file, content))
  }
  const tierOf = (files: ReadonlyMap<string, string>) => TIER_LABEL.exec([...files.values()][0] ?? "")?.[1]
  const compare = (change: ObjectChange, tenant: string, objects: ReadonlyMap<string, ManifestObject>) => {
    const match = objects.get(substitute(change.id, change.tenant, tenant))
    return match === undefined || change.after === undefined
      ? undefined
      : { tenant, hunks: hunksOf(substitute(match.text, tenant, change.tenant), change.after.text) }
  }
  const referenceOf = new Map<string, ReadonlyMap<string, ObjectChange["reference"]>>()
  for (const tenant of added) {
    const own = changes.filter((change) => change.tenant === tenant)
    const tier = TIER_LABEL.exec(own[0]?.after?.text ?? "")?.[1]
    const folders = [...filesOf.keys()].sort()
    const sameTier = folders.filter((folder) => tierOf(filesOf.get(folder) ?? new Map()) === tier)
    const candidates = (sameTier.length > 0 ? sameTier : folders).slice(0, REFERENCE_CANDIDATES)
    const scored = candidates.map((candidate) => {
      const objects = treeObjects(filesOf.get(candidate) ?? new Map())
      const references = new Map(own.map((change) => [change.id, compare(change, candidate, objects)] as const))
      const cost = own.reduce((sum, change) => {
        const reference = references.get(change.id)
        return sum + (reference === undefined ? 1000 : linesOf(reference.hunks))
      }, 0)
      return { references, cost }
    })
    const best = scored.sort((a, b) => a.cost - b.cost)[0]
    if (best !== undefined) referenceOf.set(tenant, best.references)
  }
  return changes.map((change) => {
    const reference = referenceOf.get(change.tenant)?.get(change.id)
    return reference === undefined ? change : { ...change, reference }
  })
}

/**
 * Every object that differs between two synthesized trees, identified by apiVersion, kind,
 * namespace and name (so the file layout does not matter), ordered by tenant then object.
 */
export const treeChanges = (before: Tree, after: Tree): ReadonlyArray<ObjectChange> => {
  const [oldTree, newTree] = differing(before, after)
  const old = treeObjects(oldTree)
  const next = treeObjects(newTree)
  const changes = [...new Set([...old.keys(), ...next.keys()])].flatMap((id): ReadonlyArray<ObjectChange> => {
    const a = old.get(id)
    const b = next.get(id)
    if (a?.text === b?.text) return []
    const object = (b ?? a) as ManifestObject
    const status: ChangeStatus = a === undefined ? "added" : b === undefined ? "removed" : "changed"
    const hunks = hunksOf(a?.text ?? "", b?.text ?? "")
    return [
      {
        id,
        label: labelOf(object),
        tenant: object.tenant,
        file: object.file,
        status,
        before: a,
        after: b,
        hunks,
        diff: hunks.map(hunkText).join("\n"),
      },
    ]
  })
  const sorted = changes.sort((x, y) =>
    x.tenant !== y.tenant ? (x.tenant < y.tenant ? -1 : 1) : x.label < y.label ? -1 : x.label > y.label ? 1 : 0,
  )
  return withReferences(sorted, after)
}

/**
 * The hash a reviewer matches against the deploy commit's `Preview-Diff-Hash`: over the objects'
 * diffs only (not the words around them), so the publish can compute it from the two trees alone.
 */
export const diffHash = (changes: ReadonlyArray<ObjectChange>): string =>
  createHash("sha256")
    .update(
      [...changes]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((change) => `${change.status} ${change.id}\n${change.diff}\n`)
        .join(""),
    )
    .digest("hex")

export const RENDERED_DIFF_MARKER = "<!-- ppi-rendered-diff -->"
const MARKER = RENDERED_DIFF_MARKER
/** Whether a comment is one of the bot's, of the kind `marker` names: the bot edits nothing else. */
export const isOurComment = (body: string | undefined, marker = RENDERED_DIFF_MARKER): boolean =>
  body?.startsWith(marker) ?? false

export const fence = (text: string, language = "diff"): string => {
  // A fence longer than any backtick run inside keeps the block closed exactly where we close it.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length))
  const ticks = "`".repeat(longest + 1)
  return `${ticks}${language}\n${text.endsWith("\n") ? text : `${text}\n`}${ticks}`
}

/** What the words around the diff say: the plain-words line, blocks above the table, a note per tenant. */
export interface PreviewContext {
  /** One line, in words: what the PR does to the fleet. */
  readonly summary?: string
  /** Markdown blocks shown before the table (the deletion guard's verdict, a decommission's retained data). */
  readonly notices?: ReadonlyArray<string>
  /** A note per tenant for the table (`decommissioned`, `removal blocked`…). */
  readonly tenantNotes?: ReadonlyMap<string, string>
}

const summaryTable = (changes: ReadonlyArray<ObjectChange>, notes: ReadonlyMap<string, string>): string => {
  const tenants = [...new Set(changes.map((change) => change.tenant))].sort()
  const count = (tenant: string, status: ChangeStatus) =>
    changes.filter((change) => change.tenant === tenant && change.status === status).length
  return [
    "| tenant | added | changed | removed | note |",
    "|---|---:|---:|---:|---|",
    ...tenants.map(
      (tenant) =>
        `| \`${tenant}\` | ${count(tenant, "added")} | ${count(tenant, "changed")} | ${count(tenant, "removed")} | ${notes.get(tenant) ?? ""} |`,
    ),
  ].join("\n")
}

const details = (summary: string, body: string) => `<details><summary>${summary}</summary>\n\n${body}\n\n</details>\n`

const cutNote = "\n… cut here: larger than a comment; the full diff is in the job summary.\n"

/** A section never exceeds `limit`: a huge one is cut at a line, with a note. */
const bounded = (summary: string, text: string, limit: number, after = ""): string => {
  const full = details(summary, `${fence(text)}${after}`)
  if (full.length <= limit) return full
  const room = limit - details(summary, `${fence("")}${after}`).length - cutNote.length - 64
  const cut = text.slice(0, Math.max(0, room)).replace(/[^\n]*$/, "")
  return details(summary, `${fence(`${cut}${cutNote}`)}${after}`)
}

const hunkKey = (hunk: Hunk) => JSON.stringify([hunk.path, hunk.removed, hunk.added])

const objectList = (changes: ReadonlyArray<ObjectChange>): string => {
  const byTenant = new Map<string, Array<string>>()
  for (const change of changes) byTenant.set(change.tenant, [...(byTenant.get(change.tenant) ?? []), change.label])
  return [...byTenant]
    .map(([tenant, labels]) => `\`${tenant}\`: ${labels.map((label) => `\`${label}\``).join(", ")}`)
    .join("<br>\n")
}

/** Where an object's `metadata.labels` block is, as [first line, end) of its text. */
const labelsRange = (lines: ReadonlyArray<string>): readonly [number, number] | undefined => {
  const start = lines.indexOf("  labels:")
  if (start < 0 || yamlPath(lines, start + 1) !== "metadata.labels") return undefined
  let end = start + 1
  while (end < lines.length && keyColumn(lines[end] ?? "") > 2) end++
  return [start, end]
}

const labelsBlock = (change: ObjectChange): string | undefined => {
  const lines = splitLines(change.after?.text ?? "")
  const range = labelsRange(lines)
  return range && lines.slice(range[0], range[1]).join("\n")
}

/** The labels every added object of a tenant shares, shown once above its objects. */
const sharedLabels = (added: ReadonlyArray<ObjectChange>): string | undefined => {
  const blocks = added.map(labelsBlock)
  return added.length >= 2 && blocks[0] !== undefined && blocks.every((block) => block === blocks[0])
    ? blocks[0]
    : undefined
}

/** An added object's text without its metadata.labels block (shown once for the tenant). */
const withoutLabels = (text: string): string => {
  const lines = splitLines(text)
  const range = labelsRange(lines)
  if (range === undefined) return text
  return [...lines.slice(0, range[0]), "  labels: # the tenant's common labels, above", ...lines.slice(range[1])].join(
    "\n",
  )
}

/** An object's changed lines to show: a changed object's diff, or an added one's difference from its reference. */
interface Unit {
  readonly change: ObjectChange
  readonly hunks: ReadonlyArray<Hunk>
  /** Hunks of different sources never group: a real change is not a difference from another tenant. */
  readonly source: string
}

const byTenant = (changes: ReadonlyArray<ObjectChange>) => {
  const groups = new Map<string, Array<ObjectChange>>()
  for (const change of changes) groups.set(change.tenant, [...(groups.get(change.tenant) ?? []), change])
  return groups
}

const plus = (text: string) =>
  text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => `+${line}`)
    .join("\n")

/** What each changed object, and each added object with a reference, differs by. */
const unitsOf = (changes: ReadonlyArray<ObjectChange>): ReadonlyArray<Unit> =>
  changes.flatMap(
    (change): ReadonlyArray<Unit> =>
      change.status === "changed"
        ? [{ change, hunks: change.hunks, source: "changed" }]
        : change.status === "added" && change.reference !== undefined
          ? [{ change, hunks: change.reference.hunks, source: `vs ${change.reference.tenant}` }]
          : [],
  )

const groupKeyOf = (unit: Unit, hunk: Hunk) => `${unit.source} ${hunkKey(hunk)}`

/** Hunks two or more objects share, shown once each with the list of objects. */
const sharedSections = (units: ReadonlyArray<Unit>, limit: number) => {
  const groups = new Map<string, { hunk: Hunk; source: string; objects: Array<ObjectChange> }>()
  for (const unit of units)
    for (const hunk of unit.hunks) {
      const group = groups.get(groupKeyOf(unit, hunk)) ?? { hunk, source: unit.source, objects: [] }
      group.objects.push(unit.change)
      groups.set(groupKeyOf(unit, hunk), group)
    }
  const shared = [...groups.entries()].filter(([, group]) => group.objects.length >= 2)
  const sections = shared.map(([, group]) =>
    bounded(
      group.source === "changed"
        ? `<code>${group.hunk.path}</code>: the same change in ${group.objects.length} objects`
        : `<code>${group.hunk.path}</code>: the same difference from <code>${group.source.slice(3)}</code> in ${group.objects.length} added objects`,
      hunkText(group.hunk),
      limit,
      `\n\n${objectList(group.objects)}`,
    ),
  )
  return { sections, sharedKeys: new Set(shared.map(([key]) => key)) }
}

/** Each object's own hunks; added objects with none left are listed per tenant instead. */
const ownSections = (units: ReadonlyArray<Unit>, sharedKeys: ReadonlySet<string>, limit: number) => {
  const sections: Array<string> = []
  const alike: Array<ObjectChange> = []
  for (const unit of units) {
    const own = unit.hunks.filter((hunk) => !sharedKeys.has(groupKeyOf(unit, hunk)))
    const { change } = unit
    if (own.length === 0) {
      if (change.status === "added") alike.push(change)
      continue
    }
    sections.push(
      bounded(
        change.status === "changed"
          ? `<code>${change.label}</code> (changed) · <code>${change.file}</code>`
          : `<code>${change.label}</code> (added) · <code>${change.file}</code>: as <code>${change.reference?.tenant}</code>'s, except`,
        own.map(hunkText).join("\n"),
        limit,
      ),
    )
  }
  for (const [tenant, same] of byTenant(alike)) {
    const reference = same[0]?.reference?.tenant
    sections.push(
      details(
        `${same.length} added object${same.length === 1 ? "" : "s"} of <code>${tenant}</code> as <code>${reference}</code>'s (names substituted), besides the changes above`,
        same.map((change) => `- \`${change.label}\` · \`${change.file}\``).join("\n"),
      ),
    )
  }
  return sections
}

/** Added objects with nothing to compare against: their whole text, the labels they share once. */
const wholeSections = (changes: ReadonlyArray<ObjectChange>, limit: number) => {
  const sections: Array<string> = []
  const whole = changes.filter((change) => change.status === "added" && change.reference === undefined)
  for (const [tenant, added] of byTenant(whole)) {
    const labels = sharedLabels(added)
    if (labels !== undefined)
      sections.push(details(`labels of every added <code>${tenant}</code> object`, fence(labels, "yaml")))
    for (const change of added)
      sections.push(
        bounded(
          `<code>${change.label}</code> (added) · <code>${change.file}</code>`,
          plus(labels === undefined ? (change.after?.text ?? "") : withoutLabels(change.after?.text ?? "")),
          limit,
        ),
      )
  }
  return sections
}

const removedSections = (changes: ReadonlyArray<ObjectChange>) =>
  [...byTenant(changes.filter((change) => change.status === "removed"))].map(([tenant, removed]) =>
    details(
      `${removed.length} object${removed.length === 1 ? "" : "s"} of <code>${tenant}</code> removed`,
      removed.map((change) => `- \`${change.label}\` · \`${change.file}\``).join("\n"),
    ),
  )

/**
 * The sections of the diff, in order: changes repeated across objects (shown once, with the
 * list of objects), then each object's own changes: a changed object's, an added object's
 * difference from the same object of an existing tenant (or its whole text when there is none),
 * and last the removed objects as a list.
 */
const sections = (changes: ReadonlyArray<ObjectChange>, limit: number): ReadonlyArray<string> => {
  const units = unitsOf(changes)
  const shared = sharedSections(units, limit)
  return [
    ...shared.sections,
    ...ownSections(units, shared.sharedKeys, limit),
    ...wholeSections(changes, limit),
    ...removedSections(changes),
  ]
}

/** GitHub refuses comments above 65,536 characters. */
export const COMMENT_LIMIT = 65_536

const NO_CHANGE = "No change to the synthesized manifests."

const footer = (changes: ReadonlyArray<ObjectChange>) =>
  `\n<sub>Preview-Diff-Hash: <code>${diffHash(changes)}</code> (the deploy commit's trailer of the same name matches when what merged is what you reviewed). The full diff is in the job summary.</sub>\n`

const head = (changes: ReadonlyArray<ObjectChange>, context: PreviewContext): string =>
  [
    `**${context.summary ?? (changes.length === 0 ? NO_CHANGE : `${changes.length} objects change.`)}**`,
    "",
    ...(context.notices ?? []).flatMap((notice) => [notice, ""]),
    ...(changes.length === 0 ? [] : [summaryTable(changes, context.tenantNotes ?? new Map()), ""]),
    "",
  ].join("\n")

/**
 * The rendered diff as one or more comment bodies: the plain-words line, the guard's verdict, a
 * table per tenant, then collapsed sections, split at section boundaries into numbered parts that
 * each stay under the limit; the tail is never lost and no code block is ever cut open.
 */
export const renderComments = (
  changes: ReadonlyArray<ObjectChange>,
  context: PreviewContext = {},
  limit = COMMENT_LIMIT,
): ReadonlyArray<string> => {
  const title = (part: number, parts: number) =>
    `${MARKER}\n${parts > 1 ? `### Rendered diff (part ${part}/${parts})\n\n` : ""}`
  const headroom = title(99, 99).length
  const tail = footer(changes)
  const room = limit - headroom - tail.length - 1
  const bodies: Array<string> = []
  let current = head(changes, context).slice(0, room)
  for (const text of sections(changes, room - current.length)) {
    if (current.length + text.length > room) {
      bodies.push(current)
      current = ""
    }
    current += text
  }
  bodies.push(`${current}${tail}`)
  return bodies.map((body, index) => `${title(index + 1, bodies.length)}${body}`)
}

/** The whole diff in one document (job summary / artifact), no size limit: added objects in full. */
export const renderFull = (changes: ReadonlyArray<ObjectChange>, context: PreviewContext = {}): string =>
  `${head(changes, context)}${sections(
    changes.map(({ reference: _reference, ...change }) => change),
    Number.POSITIVE_INFINITY,
  ).join("\n")}${footer(changes)}`
