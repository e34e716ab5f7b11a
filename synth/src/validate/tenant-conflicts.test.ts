import { describe, expect, it } from "@effect/vitest"
import { decodeTenant, type TenantInput } from "@ppi/config"
import { Effect } from "effect"
import { examplePlatform } from "../testing/fixtures.ts"
import { findConflicts } from "./tenant-conflicts.ts"

const loaded = (entries: Record<string, TenantInput>) =>
  Object.entries(entries).map(([file, input]) => ({ file, tenant: Effect.runSync(decodeTenant(file, input)) }))

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
      examplePlatform,
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
