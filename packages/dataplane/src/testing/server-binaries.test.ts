import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { chooseMajor, findExecutable, installCommand, isExecutableFile, pgBin } from "./server-binaries.ts"

describe("chooseMajor", () => {
  const all = () => true

  it.each([
    [["14"], "14"],
    [["15"], "15"],
    [["14", "16"], "16"],
    [["17", "15", "16"], "17"],
  ])("picks the highest installed major of %j", (folders, major) => {
    expect(chooseMajor(folders, all)).toBe(major)
  })

  it("ignores majors before 14, non-numeric folders and folders without a server", () => {
    expect(chooseMajor(["13", "12"], all)).toBeUndefined()
    expect(chooseMajor(["13", "common", "15", "17"], (major) => major !== "17")).toBe("15")
    expect(chooseMajor([], all)).toBeUndefined()
  })
})

describe("pgBin", () => {
  it("returns the bin folder of the highest major that has a postgres binary", () => {
    const root = mkdtempSync(join(tmpdir(), "ppi-pgroot-"))
    try {
      for (const major of ["14", "16", "17"]) mkdirSync(join(root, major, "bin"), { recursive: true })
      for (const major of ["14", "16"]) writeFileSync(join(root, major, "bin", "postgres"), "")
      // 17's folder is what a removed package leaves behind: no server in it.
      expect(pgBin(root)).toBe(join(root, "16", "bin"))
      expect(pgBin(join(root, "absent"))).toBeUndefined()
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe("findExecutable", () => {
  it("finds a binary on PATH first, then in Debian's folders", () => {
    const installed = new Set(["/opt/redis/bin/redis-server", "/usr/bin/redis-server", "/usr/bin/psql"])
    const has = (file: string) => installed.has(file)
    expect(findExecutable("redis-server", ["/nowhere", "/opt/redis/bin"].join(delimiter), has)).toBe(
      "/opt/redis/bin/redis-server",
    )
    expect(findExecutable("psql", "/nowhere", has)).toBe("/usr/bin/psql")
    expect(findExecutable("psql", undefined, has)).toBe("/usr/bin/psql")
    expect(findExecutable("redis-cli", "/opt/redis/bin", has)).toBeUndefined()
  })

  it("counts only executable files", () => {
    const dir = mkdtempSync(join(tmpdir(), "ppi-path-"))
    try {
      writeFileSync(join(dir, "plain"), "")
      writeFileSync(join(dir, "tool"), "#!/bin/sh\n")
      chmodSync(join(dir, "tool"), 0o755)
      expect(findExecutable("tool", dir, isExecutableFile, [])).toBe(join(dir, "tool"))
      // As root, X_OK holds for any file with an execute bit only; a plain file has none.
      expect(findExecutable("plain", dir, isExecutableFile, [])).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("installCommand", () => {
  it("runs apt-get directly as root", () => {
    expect(installCommand(true)).not.toContain("sudo")
    expect(installCommand(true)).toMatch(/^apt-get update -qq && env DEBIAN_FRONTEND=noninteractive apt-get install/)
  })

  it("puts every privileged part behind sudo otherwise", () => {
    const command = installCommand(false)
    const parts = command.split(" && ")
    expect(parts).toHaveLength(2)
    for (const part of parts) expect(part).toMatch(/^sudo /)
    expect(command).toContain("apt-get install -y -qq postgresql redis-server")
  })
})
