import { DATA_FILES, METADATA_FILE } from "@ppi/config"
import { isAlias, isMap, isScalar, parseAllDocuments, visit } from "yaml"
import { isRecord, type KubeObject } from "../kube-object.ts"
import type { TreeContext } from "./context.ts"
import type { Folder, Placed, TreeViolation } from "./model.ts"
import { landingNamespace, slotsOf } from "./placement.ts"

const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/

/** What Argo CD reads from a plain directory source: YAML and JSON files. */
export const isManifestFile = (path: string): boolean => /\.(ya?ml|json)$/i.test(path)

/** `acme/synth.metadata`: what synth rendered a tenant folder from (JSON beside its components, not a manifest). */
const isMetadataFile = (path: string): boolean => {
  const [folder, file, ...rest] = path.split("/")
  return folder !== "" && file === METADATA_FILE && rest.length === 0
}

/** `./acme\\app/x.yaml` → `acme/app/x.yaml`. */
export const normalizePath = (path: string): string => path.replaceAll("\\", "/").replace(/^(\.\/)+/, "")

const problem = (path: string, message: string, rule = "tree/yaml"): TreeViolation => ({
  path,
  object: "-",
  rule,
  message,
})

/**
 * Go's YAML (what Argo CD and kubectl use) honours merge keys (`<<`) and some tags this parser
 * does not: a document built from them could mean one thing here and another in the cluster.
 */
const ambiguity = (document: ReturnType<typeof parseAllDocuments>[number]): string | undefined => {
  let found: string | undefined
  visit(document, {
    Alias: () => {
      found = "uses an alias (*anchor)"
      return visit.BREAK
    },
    Pair: (_, pair) => {
      if (isScalar(pair.key) && pair.key.value === "<<") {
        found = "uses a merge key (<<)"
        return visit.BREAK
      }
      return undefined
    },
    Node: (_, node) => {
      if (
        node.tag !== undefined &&
        !isAlias(node) &&
        !["tag:yaml.org,2002:str", "tag:yaml.org,2002:int"].includes(node.tag)
      ) {
        found = `uses the explicit tag ${node.tag}`
        return visit.BREAK
      }
      return undefined
    },
  })
  return found
}

const asObject = (value: unknown): KubeObject | string => {
  if (!isRecord(value)) return "a document that is not a mapping"
  if (typeof value.apiVersion !== "string" || typeof value.kind !== "string")
    return "a document without apiVersion and kind"
  if (!isRecord(value.metadata) || typeof value.metadata.name !== "string" || value.metadata.name === "")
    return `${value.kind} without metadata.name`
  if (value.metadata.namespace !== undefined && typeof value.metadata.namespace !== "string")
    return `${value.kind}/${value.metadata.name} has a non-string metadata.namespace`
  return value as KubeObject
}

/** Where a manifest sits: its tenant folder and component, or why it may not sit there. */
const locate = (
  path: string,
  context: TreeContext,
): { readonly tenant: string; readonly component: string } | string => {
  const [tenant = "", component = "", ...rest] = path.split("/")
  if (rest.length === 0) return "a manifest must sit under <tenant>/<component>/"
  if (tenant !== context.fleetFolder && !DNS_LABEL.test(tenant))
    return `folder ${tenant} is neither a tenant name nor ${context.fleetFolder}`
  const slots = slotsOf(context, tenant)
  if (slots[component] === undefined)
    return `${component} is not a component of ${tenant === context.fleetFolder ? "the fleet folder" : "a tenant"} (${Object.keys(slots).join(", ")})`
  return { tenant, component }
}

/** Every Kubernetes object of one manifest file, and what makes a document of it unreadable. */
const objectsOf = (
  path: string,
  content: string,
): { readonly objects: ReadonlyArray<KubeObject>; readonly problems: ReadonlyArray<TreeViolation> } => {
  const objects: Array<KubeObject> = []
  const problems: Array<TreeViolation> = []
  for (const document of parseAllDocuments(content, { uniqueKeys: true, prettyErrors: false })) {
    const errors = document.errors
    if (errors.length > 0) {
      problems.push(problem(path, `invalid YAML: ${errors.map((error) => error.message.split("\n")[0]).join("; ")}`))
      continue
    }
    const unsafe = ambiguity(document)
    if (unsafe !== undefined) {
      problems.push(problem(path, `a document ${unsafe}: plain YAML only`))
      continue
    }
    const value: unknown = document.toJS({ maxAliasCount: 0 })
    // `---` with nothing after it, or an empty mapping: nothing to apply.
    if (value === null || value === undefined || (isMap(document.contents) && document.contents.items.length === 0))
      continue
    const object = asObject(value)
    if (typeof object === "string") problems.push(problem(path, `${object}: not a Kubernetes object`))
    else objects.push(object)
  }
  return { objects, problems }
}

/**
 * A folder tree (relative path → file content) → its objects grouped by first-level folder, and
 * every file that is not where a manifest may be or not a set of Kubernetes objects. Only
 * `*.yaml` / `*.yml` files are read; a file may hold several documents.
 */
export const parseTree = (
  files: ReadonlyMap<string, string>,
  context: TreeContext,
): { readonly folders: ReadonlyArray<Folder>; readonly problems: ReadonlyArray<TreeViolation> } => {
  const problems: Array<TreeViolation> = []
  const folders = new Map<string, Array<Placed>>()
  for (const [rawPath, content] of files) {
    const path = normalizePath(rawPath)
    // The rollout state and the fleet report: data no Application reads.
    if (DATA_FILES.includes(path)) continue
    if (!isManifestFile(path)) {
      // The deploy branch's own README.md and .gitattributes sit at the root; inside a folder a
      // non-manifest (a jsonnet file, a chart's templates) is something Argo CD might interpret.
      if (path.includes("/") && !isMetadataFile(path))
        problems.push(problem(path, "not a YAML or JSON manifest", "tree/layout"))
      continue
    }
    const at = locate(path, context)
    if (typeof at === "string") {
      problems.push(problem(path, at, "tree/layout"))
      continue
    }
    const { tenant, component } = at
    const placed = folders.get(tenant) ?? []
    folders.set(tenant, placed)
    const read = objectsOf(path, content)
    problems.push(...read.problems)
    for (const object of read.objects)
      placed.push({ path, tenant, component, object, namespace: landingNamespace(object, tenant, context) })
  }
  return {
    folders: [...folders].map(([tenant, objects]) => ({ tenant, objects })),
    problems,
  }
}
