import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { decommissionLocally, provisionLocally } from "./tenant-command.ts"
import { renderTenantFile } from "./tenant-file.ts"

const folder = () => mkdtempSync(join(tmpdir(), "ppi-tenant-command-"))

describe("tenant commands on a local folder", () => {
  it.effect("reports a tenants folder it cannot look into, instead of taking the tenant for absent", () =>
    Effect.gen(function* () {
      const notAFolder = join(folder(), "tenants")
      writeFileSync(notAFolder, "")
      const error = yield* Effect.flip(provisionLocally(notAFolder, { name: "wayne", tier: "free" }))
      expect(error._tag).toBe("FileFailed")
      expect(error.message).toContain(`cannot look up ${join(notAFolder, "wayne.ts")}: ENOTDIR`)
    }),
  )

  it.effect("decommissions from the file read as data, and refuses one that is not data", () =>
    Effect.gen(function* () {
      const dir = folder()
      writeFileSync(join(dir, "hobby.ts"), renderTenantFile({ name: "hobby", tier: "free" }))
      yield* decommissionLocally(dir, "hobby")
      expect(readFileSync(join(dir, "hobby.ts"), "utf8")).toContain('state: "decommissioned"')

      writeFileSync(join(dir, "odd.ts"), `export default { name: "odd", tier: String("free") }`)
      const error = yield* Effect.flip(decommissionLocally(dir, "odd"))
      expect(error._tag).toBe("InvalidConfig")
      expect(error.message).toContain("tier: a call is not allowed in a tenant file")
    }),
  )
})
