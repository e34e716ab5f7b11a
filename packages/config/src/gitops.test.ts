import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { PLATFORM_FILE } from "./contract.ts"
import { decodePlatform } from "./decode.ts"
import { FLEET_FOLDER, IN_CLUSTER, platformProject, reservedNamespaces, rootApplication } from "./gitops.ts"
import type { PlatformInput } from "./platform.ts"
import { minimalPlatformInput } from "./testing/minimal-platform.ts"

const input: PlatformInput = minimalPlatformInput

/** Argo CD's destination match (app_project_types.go isDestinationMatched), for namespaces on one server. */
const permitted = (destinations: ReadonlyArray<{ namespace: string }>, namespace: string): boolean => {
  const glob = (pattern: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`)
  let matched = false
  for (const { namespace: pattern } of destinations) {
    if (pattern.startsWith("!")) {
      if (glob(pattern.slice(1)).test(namespace)) return false
      matched = true
    } else if (glob(pattern).test(namespace)) matched = true
  }
  return matched
}

describe("the platform project and the root Application", () => {
  it.effect(
    "reach every tenant namespace, Argo CD's and the platform's, and no other namespace the platform owns",
    () =>
      Effect.gen(function* () {
        const platform = yield* decodePlatform(PLATFORM_FILE, input)
        const { destinations } = platformProject(platform).spec
        expect(destinations.every((destination) => destination.server === IN_CLUSTER)).toBe(true)
        for (const namespace of ["acme", "globex", "argocd", "platform"])
          expect(permitted(destinations, namespace), namespace).toBe(true)
        for (const namespace of ["kube-system", "kube-public", "default", "cert-manager", "traefik", "platform-data"])
          expect(permitted(destinations, namespace), namespace).toBe(false)
        expect(reservedNamespaces(platform)).not.toContain("argocd")
        expect(reservedNamespaces(platform)).not.toContain(platform.platformNamespace)
      }),
  )

  it.effect("creates only Namespaces cluster-wide", () =>
    Effect.gen(function* () {
      const platform = yield* decodePlatform(PLATFORM_FILE, input)
      expect(platformProject(platform).spec.clusterResourceWhitelist).toEqual([{ group: "", kind: "Namespace" }])
    }),
  )

  it.effect("never reads the fleet folder, so the deploy branch cannot redefine the platform project", () =>
    Effect.gen(function* () {
      const platform = yield* decodePlatform(PLATFORM_FILE, input)
      const { directory } = rootApplication(platform).spec.source
      expect(directory.exclude).toBe(`${FLEET_FOLDER}/*`)
      expect(directory.include).toBe("*/argocd/*.yaml")
    }),
  )
})
