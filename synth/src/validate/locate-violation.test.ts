import { describe, expect, it } from "@effect/vitest"
import { PolicyViolations } from "../errors.ts"
import { locateViolation } from "./locate-violation.ts"

describe("locateViolation", () => {
  it("names the tenant file and the field the rule judges", () => {
    const violation = locateViolation(
      { tenant: "acme", rule: "hygiene/image-pinned", object: "Deployment/api", message: "image is not pinned" },
      "tenants/acme.ts",
    )
    expect(new PolicyViolations({ violations: [violation] }).message).toBe(
      "tenants/acme.ts: image: Deployment/api: [hygiene/image-pinned] image is not pinned",
    )
  })

  it("names the file alone for what the platform adds", () => {
    const violation = locateViolation(
      { tenant: "acme", rule: "mtb/default-deny", object: "tenant/acme", message: "no default deny" },
      "tenants/acme.ts",
    )
    expect(new PolicyViolations({ violations: [violation] }).message).toBe(
      "tenants/acme.ts: tenant/acme: [mtb/default-deny] no default deny",
    )
  })
})
