import ts from "typescript"

/** What a data file may hold: JSON's values, written as a TypeScript object literal. */
export type DataValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<DataValue>
  | { readonly [key: string]: DataValue }

/** One refused construct or syntax error, located in the source (1-based) and, where known, by field. */
export interface DataFileProblem {
  readonly line: number
  readonly column: number
  /** The field the construct sits in (`hostnames[1]`, `owner.email`), or "" outside the object. */
  readonly path: string
  readonly message: string
}

export type DataFileResult =
  | { readonly _tag: "Data"; readonly value: DataValue }
  | { readonly _tag: "Refused"; readonly problems: ReadonlyArray<DataFileProblem> }

/** Keys that reach an object's prototype when a consumer copies the value with plain assignment. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"])

const article = (words: string) => (/^[aeiou]/i.test(words) ? `an ${words}` : `a ${words}`)

/** SyntaxKind's own names, without its range markers (`FirstStatement` is also `VariableStatement`). */
const syntaxKindNames = new Map<number, string>(
  Object.entries(ts.SyntaxKind)
    .filter(([name, kind]) => typeof kind === "number" && !/^(First|Last)/.test(name))
    .map(([name, kind]) => [kind as number, name]),
)

/** `PropertyAccessExpression` → "a property access expression": a name for any construct, known or new. */
const kindName = (node: ts.Node): string =>
  article(
    (syntaxKindNames.get(node.kind) ?? "unknown construct")
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .replace(/ (keyword|token)$/, ""),
  )

/** What a reader calls the constructs people actually try; the rest get their syntax kind's name. */
const constructOf = (node: ts.Node): string => {
  if (ts.isIdentifier(node)) return `the identifier \`${node.text}\` (a reference to code)`
  if (ts.isCallExpression(node)) return "a call"
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return "a member access"
  if (ts.isTemplateExpression(node)) return "a template substitution"
  if (ts.isSpreadAssignment(node) || ts.isSpreadElement(node)) return "a spread"
  if (ts.isComputedPropertyName(node)) return "a computed key"
  if (ts.isShorthandPropertyAssignment(node))
    return `the shorthand property \`${node.name.text}\` (a reference to code)`
  if (ts.isGetAccessor(node)) return "a getter"
  if (ts.isSetAccessor(node)) return "a setter"
  if (ts.isMethodDeclaration(node)) return "a method"
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return "a function"
  if (ts.isOmittedExpression(node)) return "an array hole"
  if (ts.isImportDeclaration(node)) return "an import of values (only `import type` is allowed)"
  if (ts.isExportDeclaration(node)) return node.moduleSpecifier ? "a re-export" : "a named export"
  if (ts.isExportAssignment(node) && node.isExportEquals) return "`export =`"
  if (ts.isExpressionStatement(node)) return `a statement (${kindName(node.expression).replace(/^an? /, "")})`
  return kindName(node)
}

interface Walk {
  readonly source: ts.SourceFile
  readonly what: string
  readonly problems: Array<DataFileProblem>
}

const reportAt = (walk: Walk, position: number, path: string, message: string): undefined => {
  const { line, character } = walk.source.getLineAndCharacterOfPosition(position)
  walk.problems.push({ line: line + 1, column: character + 1, path, message })
  return undefined
}

const report = (walk: Walk, node: ts.Node, path: string, message: string): undefined =>
  reportAt(walk, node.getStart(walk.source), path, message)

const refuse = (walk: Walk, node: ts.Node, path: string): undefined =>
  report(walk, node, path, `${constructOf(node)} is not allowed in a ${walk.what}: ${walk.what}s are data`)

const childPath = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`

const keyOf = (walk: Walk, name: ts.PropertyName, path: string): string | undefined => {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text
  return refuse(walk, name, path)
}

const objectOf = (walk: Walk, node: ts.ObjectLiteralExpression, path: string): DataValue | undefined => {
  // A null prototype: no key of a tenant file can ever reach Object.prototype, whatever a consumer does.
  const value: Record<string, DataValue> = Object.create(null)
  let complete = true
  for (const property of node.properties) {
    if (!ts.isPropertyAssignment(property)) {
      complete = refuse(walk, property, path) ?? false
      continue
    }
    const key = keyOf(walk, property.name, path)
    if (key === undefined) {
      complete = false
      continue
    }
    const at = childPath(path, key)
    if (PROTOTYPE_KEYS.has(key)) {
      complete = report(walk, property.name, at, `the key "${key}" is not allowed in a ${walk.what}`) ?? false
      continue
    }
    if (Object.hasOwn(value, key)) {
      complete = report(walk, property.name, at, `the key "${key}" appears twice`) ?? false
      continue
    }
    const member = literalValue(walk, property.initializer, at)
    if (member === undefined) complete = false
    else value[key] = member
  }
  return complete ? value : undefined
}

const arrayOf = (walk: Walk, node: ts.ArrayLiteralExpression, path: string): DataValue | undefined => {
  const items = node.elements.map((element, index) => literalValue(walk, element, childPath(path, index)))
  return items.every((item) => item !== undefined) ? (items as ReadonlyArray<DataValue>) : undefined
}

/** The value of a literal, or undefined after reporting every construct in it that is not one. */
const literalValue = (walk: Walk, node: ts.Expression, path: string): DataValue | undefined => {
  if (ts.isObjectLiteralExpression(node)) return objectOf(walk, node, path)
  if (ts.isArrayLiteralExpression(node)) return arrayOf(walk, node, path)
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text
  if (ts.isNumericLiteral(node)) return Number(node.text)
  if (
    ts.isPrefixUnaryExpression(node) &&
    node.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(node.operand)
  )
    return -Number(node.operand.text)
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false
  if (node.kind === ts.SyntaxKind.NullKeyword) return null
  return refuse(walk, node, path)
}

/** `{ … } satisfies T`, `{ … } as const`, both, or in parentheses: the literal inside. */
const unwrap = (node: ts.Expression): ts.Expression => {
  if (ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node)) return unwrap(node.expression)
  if (ts.isAsExpression(node) && ts.isConstTypeReference(node.type)) return unwrap(node.expression)
  return node
}

const isTypeOnlyImport = (statement: ts.Statement): boolean =>
  ts.isImportDeclaration(statement) && statement.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword

/** Node keeps syntax errors off the public type; they are there on every parsed file. */
const syntaxErrorsOf = (source: ts.SourceFile): ReadonlyArray<ts.DiagnosticWithLocation> =>
  (source as unknown as { readonly parseDiagnostics: ReadonlyArray<ts.DiagnosticWithLocation> }).parseDiagnostics

/**
 * Reads a TypeScript data file without running any of it: `import type` lines and exactly one
 * `export default <literal>` (optionally `satisfies T` / `as const`), where a literal is an object
 * with plain keys, an array, a string, a template without substitutions, a number, a boolean or
 * null. Anything else is refused with its location; nothing is imported, evaluated or executed.
 */
export const parseDataFile = (fileName: string, text: string, what = "tenant file"): DataFileResult => {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const walk: Walk = { source, what, problems: [] }
  for (const diagnostic of syntaxErrorsOf(source))
    reportAt(
      walk,
      diagnostic.start,
      "",
      `syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`,
    )
  if (walk.problems.length > 0) return { _tag: "Refused", problems: walk.problems }

  let value: DataValue | undefined
  let defaults = 0
  for (const statement of source.statements) {
    if (isTypeOnlyImport(statement)) continue
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      if (++defaults > 1) {
        report(walk, statement, "", `a second default export is not allowed in a ${what}`)
        continue
      }
      const literal = unwrap(statement.expression)
      value = literalValue(walk, literal, "")
      continue
    }
    refuse(walk, statement, "")
  }
  if (defaults === 0 && walk.problems.length === 0)
    reportAt(walk, 0, "", "no default export: the file must `export default { … }`")
  return walk.problems.length > 0 || value === undefined
    ? { _tag: "Refused", problems: walk.problems }
    : { _tag: "Data", value }
}
