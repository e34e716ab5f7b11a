#!/usr/bin/env node
/** CLI entry: `pnpm policy [--platform FILE] [--allow-kind KIND]… DIR`. The only place that exits. */
import { lstat, readdir, readFile } from "node:fs/promises"
import { join, relative, resolve } from "node:path"
import { parseArgs } from "node:util"
import { formatIssue, PLATFORM_FILE, type Platform } from "@ppi/config"
import { Effect, Exit } from "effect"
import { checkTree } from "./check-tree.ts"
import { formatViolation } from "./tree/model.ts"
import { isManifestFile } from "./tree/parse-tree.ts"

const usage = `usage: policy [--platform FILE] [--allow-kind KIND]... DIR

Checks every YAML/JSON manifest under DIR (a synth output or a checkout of the deploy branch)
against the whole rule set. Prints one line per violation, "path: Kind/name: [rule] message".
  --platform FILE    the platform file (${PLATFORM_FILE}): enables the checks that need the
                     deploy repository, base domain, images and data endpoints
  --allow-kind KIND  accept a kind synth does not emit: Kind, or component:Kind (repeatable)
Exit status: 0 clean, 1 violations, 2 usage or read error.`

const fail = (message: string): never => {
  process.stderr.write(`policy: ${message}\n`)
  process.exit(2)
}

const parse = () => {
  try {
    return parseArgs({
      options: {
        platform: { type: "string" },
        "allow-kind": { type: "string", multiple: true, default: [] },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n${usage}`)
  }
}

/** Every file under `root` (skipping `.git`), relative path → content; symbolic links are reported, not followed. */
const readFolder = async (root: string): Promise<{ files: Map<string, string>; links: Array<string> }> => {
  const files = new Map<string, string>()
  const links: Array<string> = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== ".git") await walk(path)
      } else if (entry.isSymbolicLink()) links.push(relative(root, path))
      else if (entry.isFile() && (isManifestFile(entry.name) || dir !== root))
        files.set(relative(root, path), await readFile(path, "utf8"))
    }
  }
  await walk(root)
  return { files, links }
}

/** The platform file, parsed as data like synth reads it: importing it would run whatever it holds. */
const loadPlatform = async (file: string): Promise<Platform> => {
  // Our own loader (it brings TypeScript's parser), loaded only when a platform file is given.
  const { loadPlatform: readPlatform } = await import("@ppi/data-file/source")
  const exit = await Effect.runPromiseExit(readPlatform(resolve(file)))
  if (Exit.isSuccess(exit)) return exit.value
  const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
  return fail(error ? error.issues.map(formatIssue).join("\n") : `cannot load the platform file ${file}`)
}

const { values, positionals } = parse()
if (values.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}
if (positionals.length !== 1) fail(`expected one folder, got ${positionals.length}\n${usage}`)
const root = resolve(positionals[0] ?? "")
const stat = await lstat(root).catch(() => fail(`${positionals[0]}: no such folder`))
// `out` is itself a link to the current generation: following the root is fine.
if (
  !stat.isDirectory() &&
  !(
    stat.isSymbolicLink() &&
    (await readdir(root).then(
      () => true,
      () => false,
    ))
  )
)
  fail(`${positionals[0]}: not a folder`)

const platform = values.platform === undefined ? undefined : await loadPlatform(values.platform)
const { files, links } = await readFolder(root).catch((error: unknown) => fail(String(error)))
const report = checkTree(files, { platform, allowKinds: values["allow-kind"] })
const lines = [
  ...links.map((link) => `${link}: -: [tree/layout] a symbolic link (Argo CD may resolve it outside the tree)`),
  ...report.violations.map(formatViolation),
].sort()
for (const note of report.notes) process.stderr.write(`policy: note: ${note}\n`)
if (lines.length > 0) {
  process.stdout.write(`${lines.join("\n")}\n`)
  process.stderr.write(`policy: ${lines.length} violation${lines.length === 1 ? "" : "s"} in ${files.size} files\n`)
  process.exit(1)
}
process.stderr.write(`policy: ${report.objects} objects in ${files.size} files: clean\n`)
