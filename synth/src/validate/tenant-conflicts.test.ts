import { describe, expect, it } from "@effect/vitest"
import type { TenantInput } from "@ppi/config"
import { examplePlatform, platformFor } from "../testing/fixtures.ts"
import { decoded } from "../testing/render.ts"
import { findConflicts } from "./tenant-conflicts.ts"

const loaded = (entries: Record<string, TenantInput>) =>
  Object.entries(entries).map(([file, input]) => ({ file, tenant: decoded(input, file) }))

describe("findConflicts", () => {
  it("accepts distinct tenants", () => {
    expect(
      findConflicts(
        loaded({ "a.ts": { name: "a", tier: "free" }, "b.ts": { name: "b", tier: "free" } }),
        examplePlatform,
      ),
    ).toEqual([])
  })

  it("names both files when two tenants share a name", () => {
    expect(
      findConflicts(
        loaded({ "a.ts": { name: "acme", tier: "free" }, "b.ts": { name: "acme", tier: "pro" } }),
        examplePlatform,
      ),
    ).toContainEqual({ file: "b.ts", path: "name", message: 'duplicate tenant name "acme" (also in a.ts)' })
  })

  it("names the field when two tenants claim the same custom hostname", () => {
    const issues = findConflicts(
      loaded({
        "a.ts": { name: "a", tier: "pro", hostnames: ["shop.example.com"] },
        "b.ts": { name: "b", tier: "pro", hostnames: ["www.b.io", "shop.example.com"] },
      }),
      platformFor({ domains: { verified: { a: ["example.com"], b: ["b.io", "example.com"] } } }),
    )
    expect(issues).toEqual([
      { file: "b.ts", path: "hostnames[1]", message: "duplicate hostname shop.example.com (also claimed by a.ts)" },
    ])
  })

  it("keeps the platform domain for canonical hostnames", () => {
    const issues = findConflicts(
      loaded({
        "a.ts": { name: "a", tier: "free" },
        "b.ts": { name: "b", tier: "pro", hostnames: ["a.apps.parametric.dev"] },
      }),
      examplePlatform,
    )
    expect(issues.map((issue) => issue.path)).toEqual(["hostnames[0]", "hostnames[0]"])
  })

  it("keeps the platform's own domains, apex included, from every tenant", () => {
    const platform = platformFor({
      domains: { reserved: ["parametric.dev"], verified: { a: ["parametric.dev", "apps.parametric.dev"] } },
    })
    const hosts = ["argocd.parametric.dev", "parametric.dev", "login.parametric.dev", "apps.parametric.dev"]
    const issues = findConflicts(loaded({ "a.ts": { name: "a", tier: "pro", hostnames: hosts.slice(0, 3) } }), platform)
    expect(issues.map((issue) => issue.message)).toEqual([
      "argocd.parametric.dev is under parametric.dev, which the platform reserves for itself",
      "parametric.dev is under parametric.dev, which the platform reserves for itself",
      "login.parametric.dev is under parametric.dev, which the platform reserves for itself",
    ])
    const apex = findConflicts(loaded({ "a.ts": { name: "a", tier: "pro", hostnames: [hosts[3] ?? ""] } }), platform)
    expect(apex).toEqual([
      {
        file: "a.ts",
        path: "hostnames[0]",
        message:
          "apps.parametric.dev is under the platform domain apps.parametric.dev, which only canonical tenant hostnames may use",
      },
    ])
  })

  it("accepts a custom hostname only under a domain verified for that tenant", () => {
    const platform = platformFor({ domains: { verified: { a: ["acme.example"], b: ["globex.example"] } } })
    const issues = findConflicts(
      loaded({
        "a.ts": { name: "a", tier: "pro", hostnames: ["acme.example", "shop.eu.acme.example"] },
        "b.ts": { name: "b", tier: "pro", hostnames: ["portal.acme.example", "notacme.example"] },
        "c.ts": { name: "c", tier: "pro", hostnames: ["c.example"] },
      }),
      platform,
    )
    expect(issues).toEqual([
      {
        file: "b.ts",
        path: "hostnames[0]",
        message:
          "portal.acme.example is not under a domain verified for b (globex.example): the platform team adds verified domains to domains.verified in the platform file",
      },
      {
        file: "b.ts",
        path: "hostnames[1]",
        message:
          "notacme.example is not under a domain verified for b (globex.example): the platform team adds verified domains to domains.verified in the platform file",
      },
      {
        file: "c.ts",
        path: "hostnames[0]",
        message:
          "c.example is not under a domain verified for c (none): the platform team adds verified domains to domains.verified in the platform file",
      },
    ])
  })

  it("refuses a tenant named like another tenant's platform Application", () => {
    const issues = findConflicts(
      loaded({ "a.ts": { name: "acme", tier: "free" }, "b.ts": { name: "acme-platform", tier: "free" } }),
      examplePlatform,
    )
    expect(issues).toEqual([
      {
        file: "b.ts",
        path: "name",
        message: '"acme-platform" names the Argo CD Application of tenant "acme"\'s platform objects (a.ts)',
      },
    ])
  })
})
