import { accessSync, constants, existsSync, readdirSync } from "node:fs"
import { delimiter, join } from "node:path"

/** Where Debian and Ubuntu install each PostgreSQL major: `/usr/lib/postgresql/<major>/bin`. */
export const PG_ROOT = "/usr/lib/postgresql"
const OLDEST_MAJOR = 14

/**
 * The PostgreSQL major to run among the folders under `PG_ROOT`: the highest one from 14 on that
 * holds a server (14 on ubuntu-22.04, 15 on Debian 12, 16 on ubuntu-24.04, 17 from PGDG). A folder
 * left by a removed package has no `bin/postgres` and is skipped.
 */
export const chooseMajor = (folders: ReadonlyArray<string>, hasServer: (major: string) => boolean) =>
  folders
    .filter((name) => /^\d+$/.test(name) && Number(name) >= OLDEST_MAJOR && hasServer(name))
    .sort((a, b) => Number(b) - Number(a))[0]

/** The bin folder of the installed PostgreSQL to run, if any. */
export const pgBin = (root = PG_ROOT): string | undefined => {
  const major = existsSync(root)
    ? chooseMajor(readdirSync(root), (name) => existsSync(join(root, name, "bin", "postgres")))
    : undefined
  return major === undefined ? undefined : join(root, major, "bin")
}

/**
 * The first `name` in the PATH folders, then in the folders Debian installs to (a test runner's
 * PATH may leave them out). `isExecutable` decides what counts as found.
 */
export const findExecutable = (
  name: string,
  path: string | undefined,
  isExecutable: (file: string) => boolean,
  fallbacks: ReadonlyArray<string> = ["/usr/bin", "/usr/sbin"],
): string | undefined =>
  [...(path ?? "").split(delimiter).filter((folder) => folder !== ""), ...fallbacks]
    .map((folder) => join(folder, name))
    .find(isExecutable)

export const isExecutableFile = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The shell command that installs the servers: as root (this machine kind) apt-get runs as is;
 * otherwise (a CI runner, passwordless sudo) every privileged part goes through sudo.
 */
export const installCommand = (isRoot: boolean): string => {
  const sudo = isRoot ? "" : "sudo "
  return `${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server busybox`
}
