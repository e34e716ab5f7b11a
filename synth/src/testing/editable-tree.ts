import { basename, dirname } from "node:path"
import { parseAllDocuments, stringify } from "yaml"

const MANIFEST = "manifest.yaml"

/**
 * A synthesized output tree opened for editing, as an attacker with write access to the deploy
 * branch would: documents are plain objects to change in place; files can be added, removed,
 * moved, or replaced by raw text. Untouched files keep their exact bytes.
 *
 * Each object of a component's `manifest.yaml` is also reachable by the name it would have on
 * its own (`acme/app/deployment-api.yaml`: kind, lowercased, then name): editing, replacing or
 * removing it edits that document of the manifest; a path that is neither is a new file.
 */
export class EditableTree {
  readonly #original: ReadonlyMap<string, string>
  readonly #edited = new Map<string, Array<any> | string | undefined>()

  constructor(files: ReadonlyMap<string, string>) {
    this.#original = files
  }

  #exists(path: string): boolean {
    return this.#edited.has(path) ? this.#edited.get(path) !== undefined : this.#original.has(path)
  }

  /** The manifest document a per-object path names, if the path is not a file of its own. */
  #inManifest(path: string): { readonly docs: Array<any>; readonly index: number } | undefined {
    const manifest = `${dirname(path)}/${MANIFEST}`
    if (this.#exists(path) || path === manifest || !this.#exists(manifest)) return undefined
    const docs = this.#fileDocs(manifest)
    const index = docs.findIndex(
      (doc) => `${String(doc?.kind).toLowerCase()}-${String(doc?.metadata?.name)}.yaml` === basename(path),
    )
    return index < 0 ? undefined : { docs, index }
  }

  #fileDocs(path: string): Array<any> {
    const edited = this.#edited.get(path)
    if (Array.isArray(edited)) return edited
    const text = typeof edited === "string" ? edited : this.#original.get(path)
    if (text === undefined || (this.#edited.has(path) && edited === undefined)) throw new Error(`no file ${path}`)
    const docs = parseAllDocuments(text).map((doc) => doc.toJS())
    this.#edited.set(path, docs)
    return docs
  }

  /** The documents of a file, or the one object a per-object path names (parsed on first access; edits stick). */
  docs(path: string): Array<any> {
    const found = this.#inManifest(path)
    return found === undefined ? this.#fileDocs(path) : [found.docs[found.index]]
  }

  /** The first document of a file. */
  doc(path: string): any {
    const [first] = this.docs(path)
    if (first === undefined) throw new Error(`${path} has no document`)
    return first
  }

  /** A deep copy of a file's first document, to derive a new object from. */
  copy(path: string): any {
    return structuredClone(this.doc(path))
  }

  put(path: string, ...docs: Array<any>): void {
    const found = this.#inManifest(path)
    if (found === undefined) this.#edited.set(path, docs)
    else found.docs.splice(found.index, 1, ...docs)
  }

  /** Adds a document right after what the path names (a second object in the same place). */
  append(path: string, doc: any): void {
    const found = this.#inManifest(path)
    if (found === undefined) this.#fileDocs(path).push(doc)
    else found.docs.splice(found.index + 1, 0, doc)
  }

  /** Raw text at a path: an object of a manifest leaves it for a file of its own. */
  raw(path: string, text: string): void {
    const found = this.#inManifest(path)
    if (found !== undefined) found.docs.splice(found.index, 1)
    this.#edited.set(path, text)
  }

  remove(path: string): void {
    const found = this.#inManifest(path)
    if (found !== undefined) {
      found.docs.splice(found.index, 1)
      return
    }
    this.#fileDocs(path)
    this.#edited.set(path, undefined)
  }

  move(from: string, to: string): void {
    const docs = [...this.docs(from)]
    this.remove(from)
    this.put(to, ...docs)
  }

  /** The tree as files: edited ones re-serialized (multi-document where needed), the rest as they were. */
  files(): ReadonlyMap<string, string> {
    const out = new Map(this.#original)
    for (const [path, edited] of this.#edited) {
      if (edited === undefined) out.delete(path)
      else out.set(path, typeof edited === "string" ? edited : edited.map((doc) => stringify(doc)).join("---\n"))
    }
    return out
  }
}
