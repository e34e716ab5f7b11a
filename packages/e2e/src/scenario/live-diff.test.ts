import { describe, expect, it } from "@effect/vitest"
import { missingFromLive, quantity } from "./live-diff.ts"

describe("missingFromLive", () => {
  it("ignores what the server adds and compares quantities by amount", () => {
    const synthesized = { spec: { hard: { cpu: "1000m", memory: "1Gi" }, scopes: ["NotTerminating"] } }
    const live = {
      spec: { hard: { cpu: "1", memory: "1073741824" }, scopes: ["NotTerminating"] },
      status: { used: { cpu: "0" } },
    }
    expect(missingFromLive(synthesized, live)).toEqual([])
  })

  it("names every synthesized field the live object lacks or changed", () => {
    const synthesized = { spec: { hard: { cpu: "2", pods: "10" }, scopes: ["A", "B"] } }
    const live = { spec: { hard: { cpu: "1" }, scopes: ["A"] } }
    expect(missingFromLive(synthesized, live)).toEqual([
      'spec.hard.cpu: synthesized "2", live "1"',
      'spec.hard.pods: synthesized "10", live undefined',
      "spec.scopes: expected 2 items, live has 1",
    ])
  })

  it("reads Kubernetes quantities, and nothing else as one", () => {
    expect([quantity("250m"), quantity("2Ki"), quantity("1.5G"), quantity("abc"), quantity("1e3")]).toEqual([
      0.25,
      2048,
      1.5e9,
      undefined,
      undefined,
    ])
  })
})
