import { parseAllDocuments, stringify } from "yaml"

/**
 * A synthesized output tree opened for editing, as an attacker with write access to the deploy
 * branch would: documents are plain objects to change in place; files can be added, removed,
 * moved, or replaced by raw text. Untouched files keep their exact bytes.
 */
export class EditableTree {
  readonly #original: ReadonlyMap<string, string>
  readonly #edited = new Map<string, Array<any> | string | undefined>()

  constructor(files: ReadonlyMap<string, string>) {
    this.#original = files
  }

  /** The documents of a file (parsed on first access; edits stick). */
  docs(path: string): Array<any> {
    const edited = this.#edited.get(path)
    if (Array.isArray(edited)) return edited
    const text = typeof edited === "string" ? edited : this.#original.get(path)
    if (text === undefined || (this.#edited.has(path) && edited === undefined)) throw new Error(`no file ${path}`)
    const docs = parseAllDocuments(text).map((doc) => doc.toJS())
    this.#edited.set(path, docs)
    return docs
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
    this.#edited.set(path, docs)
  }

  append(path: string, doc: any): void {
    this.docs(path).push(doc)
  }

  raw(path: string, text: string): void {
    this.#edited.set(path, text)
  }

  remove(path: string): void {
    this.docs(path)
    this.#edited.set(path, undefined)
  }

  move(from: string, to: string): void {
    const docs = this.docs(from)
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
