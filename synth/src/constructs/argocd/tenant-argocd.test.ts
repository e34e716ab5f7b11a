import { describe, expect, it } from "@effect/vitest"
import { checkTenant } from "@ppi/policy"
import { parseAllDocuments } from "yaml"
import { examplePlatform } from "../../testing/fixtures.ts"
import { find, render } from "../../testing/render.ts"
import { TENANT_KINDS } from "./tenant-argocd.ts"

describe("Argo CD objects of a tenant", () => {
  const { objects, files } = render({ name: "acme", tier: "pro" })

  it("confines the tenant's AppProject to its namespace, the deploy repository and its workload kinds", () => {
    const project = find(objects, "AppProject", "acme")
    expect(project.spec.sourceRepos).toEqual([examplePlatform.deploy.repoURL])
    expect(project.spec.destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: "acme" }])
    expect(project.spec.clusterResourceWhitelist).toEqual([])
    const kinds = project.spec.namespaceResourceWhitelist.map((k: { kind: string }) => k.kind)
    for (const guarded of [
      "ResourceQuota",
      "LimitRange",
      "NetworkPolicy",
      "ExternalSecret",
      "SecretStore",
      "Role",
      "RoleBinding",
    ])
      expect(kinds).not.toContain(guarded)
  })

  it("deploys the tenant's workload objects only through kinds its project allows", () => {
    const allowed = new Set(TENANT_KINDS.map((k) => k.kind))
    const appObjects = parseAllDocuments(files.get("app/manifest.yaml") ?? "").map((document) => document.toJS())
    expect(appObjects.length).toBeGreaterThan(0)
    for (const object of appObjects) expect(allowed.has(object.kind), object.kind).toBe(true)
  })

  it("syncs guardrails under the platform project first, then the workload under the tenant's", () => {
    const platformApp = find(objects, "Application", "acme-platform")
    const app = find(objects, "Application", "acme")
    expect([platformApp.spec.project, platformApp.spec.source.path]).toEqual(["platform", "acme/platform"])
    expect([app.spec.project, app.spec.source.path]).toEqual(["acme", "acme/app"])
    expect(Number(platformApp.metadata.annotations["argocd.argoproj.io/sync-wave"])).toBeLessThan(
      Number(app.metadata.annotations["argocd.argoproj.io/sync-wave"]),
    )
    for (const application of [platformApp, app]) {
      expect(application.spec.source.targetRevision).toBe("deploy")
      expect(application.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false })
      expect(application.spec.syncPolicy.syncOptions).toContain("ServerSideApply=true")
      expect(application.spec.syncPolicy.retry.backoff).toMatchObject({ duration: "10s", factor: 2 })
    }
  })

  it("cascades deletion for the workload only: namespace, credentials and data stay", () => {
    expect(find(objects, "Application", "acme").metadata.finalizers).toEqual(["resources-finalizer.argocd.argoproj.io"])
    expect(find(objects, "Application", "acme-platform").metadata.finalizers).toBeUndefined()
  })

  it("passes the confinement policy, which catches an Application aimed elsewhere", () => {
    expect(checkTenant("acme", objects).filter((v) => v.rule.startsWith("argocd/"))).toEqual([])
    const escaped = objects.map((o: any) =>
      o.kind === "Application" && o.metadata.name === "acme"
        ? { ...o, spec: { ...o.spec, destination: { ...o.spec.destination, namespace: "globex" } } }
        : o,
    )
    expect(checkTenant("acme", escaped).map((v) => v.rule)).toContain("argocd/confined-to-tenant")
  })
})
