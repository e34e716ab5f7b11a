import { createHash } from "node:crypto"
import { globSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"

/**
 * The part of GitHub Actions' expression language the workflows use, evaluated strictly: a
 * context, property or function the evaluator does not know is an error (the test fails), never
 * the empty string GitHub would give, so a typo in a workflow cannot pass unnoticed.
 *
 * Grammar: `||`, `&&`, `==`, `!=`, `!`, parentheses, 'string' / number / true / false / null
 * literals, `context.path.with-dashes`, `a['b']`, and the functions always(), success(),
 * failure(), cancelled() and hashFiles(patterns…).
 */
export type Value = string | number | boolean | null | { readonly [key: string]: unknown } | ReadonlyArray<unknown>

export interface ExpressionContext {
  readonly contexts: Readonly<Record<string, unknown>>
  /** Whether every step so far succeeded (for success()/failure()). */
  readonly jobSucceeded: boolean
  /** The folder hashFiles() globs in (GITHUB_WORKSPACE). */
  readonly workspace: string
  /** Properties that may be absent and then read as null, as GitHub reads them (e.g. undeclared-by-event inputs). */
  readonly nullable?: (path: ReadonlyArray<string>) => boolean
}

export class ExpressionError extends Error {
  override readonly name = "ExpressionError"
}

type Token =
  | { readonly kind: "op"; readonly value: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "ident"; readonly value: string }

const tokenize = (source: string): Array<Token> => {
  const tokens: Array<Token> = []
  let at = 0
  while (at < source.length) {
    const rest = source.slice(at)
    const space = /^\s+/.exec(rest)
    if (space) {
      at += space[0].length
      continue
    }
    const op = /^(\|\||&&|==|!=|!|\(|\)|\[|\]|\.|,)/.exec(rest)
    if (op) {
      tokens.push({ kind: "op", value: op[0] })
      at += op[0].length
      continue
    }
    const string = /^'((?:[^']|'')*)'/.exec(rest)
    if (string) {
      tokens.push({ kind: "string", value: (string[1] ?? "").replaceAll("''", "'") })
      at += string[0].length
      continue
    }
    const number = /^-?\d+(\.\d+)?/.exec(rest)
    if (number) {
      tokens.push({ kind: "number", value: Number(number[0]) })
      at += number[0].length
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest)
    if (ident) {
      tokens.push({ kind: "ident", value: ident[0] })
      at += ident[0].length
      continue
    }
    throw new ExpressionError(`cannot read ${JSON.stringify(rest)} in expression ${JSON.stringify(source)}`)
  }
  return tokens
}

type Node =
  | { readonly kind: "literal"; readonly value: Value }
  | { readonly kind: "path"; readonly root: string; readonly keys: ReadonlyArray<string> }
  | { readonly kind: "call"; readonly name: string; readonly args: ReadonlyArray<Node> }
  | { readonly kind: "not"; readonly operand: Node }
  | { readonly kind: "binary"; readonly op: string; readonly left: Node; readonly right: Node }

const FUNCTIONS = new Set(["always", "success", "failure", "cancelled", "hashFiles"])
const CONTEXTS = new Set(["github", "env", "vars", "secrets", "inputs", "runner", "steps", "job"])

/** A recursive-descent parser over one expression's tokens: `||` over `&&` over `==`/`!=` over primaries. */
class Parser {
  private at = 0
  private readonly source: string
  private readonly tokens: ReadonlyArray<Token>

  constructor(source: string, tokens: ReadonlyArray<Token>) {
    this.source = source
    this.tokens = tokens
  }

  parse(): Node {
    const node = this.or()
    if (this.at !== this.tokens.length) throw new ExpressionError(`trailing input in ${JSON.stringify(this.source)}`)
    return node
  }

  private isOp(value: string): boolean {
    const token = this.tokens[this.at]
    return token?.kind === "op" && token.value === value
  }

  private expect(value: string): void {
    if (!this.isOp(value)) throw new ExpressionError(`expected ${value} in ${JSON.stringify(this.source)}`)
    this.at++
  }

  private binary(next: () => Node, ops: ReadonlyArray<string>): Node {
    let left = next()
    while (ops.some((op) => this.isOp(op))) {
      const op = (this.tokens[this.at++] as Token).value as string
      left = { kind: "binary", op, left, right: next() }
    }
    return left
  }

  private or(): Node {
    return this.binary(() => this.and(), ["||"])
  }

  private and(): Node {
    return this.binary(() => this.equality(), ["&&"])
  }

  private equality(): Node {
    return this.binary(() => this.primary(), ["==", "!="])
  }

  private primary(): Node {
    const token = this.tokens[this.at++]
    if (token === undefined) throw new ExpressionError(`unexpected end of ${JSON.stringify(this.source)}`)
    if (token.kind === "string" || token.kind === "number") return { kind: "literal", value: token.value }
    if (token.kind === "op" && token.value === "(") {
      const inner = this.or()
      this.expect(")")
      return inner
    }
    if (token.kind === "op" && token.value === "!") return { kind: "not", operand: this.primary() }
    if (token.kind !== "ident") throw new ExpressionError(`unexpected ${token.value} in ${JSON.stringify(this.source)}`)
    if (token.value === "true" || token.value === "false") return { kind: "literal", value: token.value === "true" }
    if (token.value === "null") return { kind: "literal", value: null }
    return this.isOp("(") ? this.call(token.value) : this.path(token.value)
  }

  /** `name(arg, …)`, the opening parenthesis next. */
  private call(name: string): Node {
    if (!FUNCTIONS.has(name)) throw new ExpressionError(`unknown function ${name}()`)
    this.at++
    const args: Array<Node> = []
    while (!this.isOp(")")) {
      args.push(this.or())
      if (!this.isOp(")")) this.expect(",")
    }
    this.at++
    return { kind: "call", name, args }
  }

  /** `root.key['key']…` over one of the known contexts. */
  private path(root: string): Node {
    if (!CONTEXTS.has(root)) throw new ExpressionError(`unknown context ${root}`)
    const keys: Array<string> = []
    for (;;) {
      if (this.isOp(".")) {
        this.at++
        const key = this.tokens[this.at++]
        if (key?.kind !== "ident")
          throw new ExpressionError(`expected a property name in ${JSON.stringify(this.source)}`)
        keys.push(key.value)
      } else if (this.isOp("[")) {
        this.at++
        const key = this.tokens[this.at++]
        if (key?.kind !== "string") throw new ExpressionError(`only ['literal'] indexes are supported: ${this.source}`)
        keys.push(key.value)
        this.expect("]")
      } else break
    }
    return { kind: "path", root, keys }
  }
}

/** Parses one expression (the text between `${{` and `}}`, or a bare `if:`). */
export const parse = (source: string): Node => new Parser(source, tokenize(source)).parse()

const truthy = (value: unknown): boolean => !(value === null || value === false || value === 0 || value === "")

/** GitHub compares strings case-insensitively and coerces mixed types to numbers; the workflows only compare strings. */
const equals = (left: unknown, right: unknown): boolean =>
  typeof left === "string" && typeof right === "string"
    ? left.toLowerCase() === right.toLowerCase()
    : left === right || (left ?? null) === (right ?? null)

/** hashFiles(): the SHA-256 of the SHA-256s of the matching files, in path order, as the runner computes it. */
const hashFiles = (workspace: string, patterns: ReadonlyArray<string>): string => {
  const files = patterns
    .flatMap((pattern) => globSync(pattern, { cwd: workspace }))
    .filter((file) => statSync(join(workspace, file)).isFile())
    .sort()
  if (files.length === 0) return ""
  const outer = createHash("sha256")
  for (const file of files)
    outer.update(
      createHash("sha256")
        .update(readFileSync(join(workspace, file)))
        .digest(),
    )
  return outer.digest("hex")
}

const evaluateNode = (node: Node, context: ExpressionContext): unknown => {
  switch (node.kind) {
    case "literal":
      return node.value
    case "not":
      return !truthy(evaluateNode(node.operand, context))
    case "binary": {
      if (node.op === "&&") {
        const left = evaluateNode(node.left, context)
        return truthy(left) ? evaluateNode(node.right, context) : left
      }
      if (node.op === "||") {
        const left = evaluateNode(node.left, context)
        return truthy(left) ? left : evaluateNode(node.right, context)
      }
      const same = equals(evaluateNode(node.left, context), evaluateNode(node.right, context))
      return node.op === "==" ? same : !same
    }
    case "call":
      switch (node.name) {
        case "always":
          return true
        case "success":
          return context.jobSucceeded
        case "failure":
          return !context.jobSucceeded
        case "cancelled":
          return false
        default:
          return hashFiles(
            context.workspace,
            node.args.map((arg) => String(evaluateNode(arg, context))),
          )
      }
    case "path": {
      let value: unknown = context.contexts[node.root]
      if (value === undefined) throw new ExpressionError(`the ${node.root} context is not provided`)
      for (const [index, key] of node.keys.entries()) {
        const next = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined
        if (next === undefined) {
          const path = [node.root, ...node.keys.slice(0, index + 1)]
          if (context.nullable?.(path)) return null
          throw new ExpressionError(`${path.join(".")} is not set`)
        }
        value = next
      }
      return value
    }
  }
}

/** Evaluates a bare expression (an `if:` without `${{ }}`, or the inside of one). */
export const evaluate = (source: string, context: ExpressionContext): unknown => evaluateNode(parse(source), context)

/** An `if:` condition: bare or wrapped in `${{ }}`, truthy or not. */
export const condition = (source: string | boolean | undefined, context: ExpressionContext): boolean => {
  if (source === undefined) return context.jobSucceeded
  if (typeof source === "boolean") return source
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(source)?.[1] ?? source
  // GitHub adds success() to a condition that calls none of the status functions.
  const node = parse(inner)
  const callsStatus = /\b(always|success|failure|cancelled)\s*\(/.test(inner)
  return truthy(evaluateNode(node, context)) && (callsStatus || context.jobSucceeded)
}

const asText = (value: unknown): string =>
  value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value)

/** Replaces every `${{ … }}` in a string value (env, with) by its evaluated text. */
export const interpolate = (text: string, context: ExpressionContext): string =>
  text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, inner: string) => asText(evaluate(inner, context)))

/** Every expression in a string (to check a workflow parses without running it). */
export const expressionsIn = (text: string): ReadonlyArray<string> =>
  [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((match) => match[1] ?? "")
