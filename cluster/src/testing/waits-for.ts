/** A resource of the cluster program as captured under mocks: what it was declared in and waits for. */
export interface DeclaredResource {
  readonly urn: string
  readonly parent?: string
  readonly dependencies: ReadonlyArray<string>
}

/**
 * Every resource each resource waits for, transitively. A resource waits for its own dependencies
 * and for its ancestors': the Node SDK registers a child only once its parent's URN is known, and
 * the parent's registration waited for the parent's dependencies.
 */
export const waitsFor = (resources: ReadonlyArray<DeclaredResource>): ReadonlyMap<string, ReadonlySet<string>> => {
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]))
  const closure = new Map<string, Set<string>>()
  const visit = (urn: string, path: ReadonlyArray<string>): Set<string> => {
    const done = closure.get(urn)
    if (done !== undefined) return done
    if (path.includes(urn)) throw new Error(`dependency cycle: ${[...path, urn].join(" → ")}`)
    const resource = byUrn.get(urn)
    const all = new Set<string>()
    for (const next of resource?.dependencies ?? []) {
      all.add(next)
      for (const transitive of visit(next, [...path, urn])) all.add(transitive)
    }
    // The parent itself is not waited for (a component is registered before its children), its dependencies are.
    if (resource?.parent) for (const inherited of visit(resource.parent, [...path, urn])) all.add(inherited)
    closure.set(urn, all)
    return all
  }
  for (const resource of resources) visit(resource.urn, [])
  return closure
}
