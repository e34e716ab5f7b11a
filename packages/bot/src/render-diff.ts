import { redactSecrets } from "@ppi/policy"
import type { Tree } from "@ppi/synth"
import { TextDiff } from "effect"

export type ChangeStatus = "added" | "changed" | "removed"

export interface ObjectChange {
  readonly tenant: string
  readonly file: string
  readonly status: ChangeStatus
  /** Unified diff of the object's YAML, secret-shaped values redacted. */
  readonly diff: string
}

/** Every file that differs between two synthesized trees, in path order. */
export const treeChanges = (before: Tree, after: Tree): ReadonlyArray<ObjectChange> =>
  [...new Set([...before.keys(), ...after.keys()])].sort().flatMap((file): ReadonlyArray<ObjectChange> => {
    const old = before.get(file)
    const next = after.get(file)
    if (old === next) return []
    const status: ChangeStatus = old === undefined ? "added" : next === undefined ? "removed" : "changed"
    const diff = TextDiff.unified(TextDiff.lines(old ?? "", next ?? ""), { fromFile: `a/${file}`, toFile: `b/${file}` })
    return [{ tenant: file.split("/")[0] ?? file, file, status, diff: redactSecrets(diff) }]
  })

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

const summaryTable = (changes: ReadonlyArray<ObjectChange>): string => {
  const tenants = [...new Set(changes.map((change) => change.tenant))].sort()
  const count = (tenant: string, status: ChangeStatus) =>
    changes.filter((change) => change.tenant === tenant && change.status === status).length
  return [
    "| tenant | added | changed | removed |",
    "|---|---:|---:|---:|",
    ...tenants.map(
      (tenant) =>
        `| \`${tenant}\` | ${count(tenant, "added")} | ${count(tenant, "changed")} | ${count(tenant, "removed")} |`,
    ),
  ].join("\n")
}

/** One collapsible section per object; a section never exceeds `limit` (a huge object is cut, with a note). */
const section = (change: ObjectChange, limit: number): string => {
  const head = `<details><summary><code>${change.file}</code> (${change.status})</summary>\n\n`
  const tail = "\n\n</details>\n"
  const full = `${head}${fence(change.diff)}${tail}`
  if (full.length <= limit) return full
  const note = "\n… cut here: this object's diff is larger than a comment; the full diff is in the job summary.\n"
  const room = limit - head.length - tail.length - note.length - 64
  const cut = change.diff.slice(0, Math.max(0, room)).replace(/[^\n]*$/, "")
  return `${head}${fence(`${cut}${note}`)}${tail}`
}

/** GitHub refuses comments above 65,536 characters. */
export const COMMENT_LIMIT = 65_536

/**
 * The rendered diff as one or more comment bodies: a summary table per tenant, then a
 * collapsible unified diff per object, split at object boundaries into numbered parts that each
 * stay under the limit — the tail is never lost and no code block is ever cut open.
 */
export const renderComments = (changes: ReadonlyArray<ObjectChange>, limit = COMMENT_LIMIT): ReadonlyArray<string> => {
  const title = (part: number, parts: number) =>
    `${MARKER}\n### Rendered diff${parts > 1 ? ` (part ${part}/${parts})` : ""}\n\n`
  if (changes.length === 0) return [`${title(1, 1)}No change to the synthesized manifests.\n`]
  const headroom = title(99, 99).length
  const summary = `${summaryTable(changes)}\n\n`
  const sections = changes.map((change) => section(change, limit - headroom - 1))
  const bodies: Array<string> = []
  let current = summary.length + headroom <= limit ? summary : ""
  for (const text of sections) {
    if (current.length + text.length + headroom > limit) {
      bodies.push(current)
      current = ""
    }
    current += text
  }
  bodies.push(current)
  return bodies.map((body, index) => `${title(index + 1, bodies.length)}${body}`)
}

/** The whole diff in one document (job summary / artifact), no size limit. */
export const renderFull = (changes: ReadonlyArray<ObjectChange>): string =>
  changes.length === 0
    ? "No change to the synthesized manifests.\n"
    : `${summaryTable(changes)}\n\n${changes.map((change) => section(change, Number.POSITIVE_INFINITY)).join("\n")}`
