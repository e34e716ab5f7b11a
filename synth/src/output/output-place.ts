import { execFile } from "node:child_process"
import { lstat } from "node:fs/promises"
import { dirname, isAbsolute, join, relative, sep } from "node:path"
import { Effect } from "effect"
import { OutputFailed } from "../errors.ts"
import { isSynthOutput } from "./output-tree.ts"

export interface OutputPlace {
  readonly outDir: string
  readonly tenantsDir: string
  readonly platformFile: string
}

const within = (child: string, parent: string) => {
  const path = relative(parent, child)
  return path === "" || (!path.startsWith("..") && !isAbsolute(path))
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  )

/** The git repository holding `path` (its folder with `.git`, a folder or a worktree's file), if any. */
const repositoryOf = async (path: string): Promise<string | undefined> => {
  for (let dir = path; ; dir = dirname(dir)) {
    if (await exists(join(dir, ".git"))) return dir
    if (dirname(dir) === dir) return undefined
  }
}

/** Whether git tracks any file under `folder` of `root`; `false` when git cannot say (no git installed). */
const holdsTrackedFiles = (root: string, folder: string) =>
  new Promise<boolean>((resolve) =>
    execFile("git", ["ls-files", "-z", "--", folder], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
      resolve(error === null && stdout.length > 0),
    ),
  )

/**
 * Why `out` may not be written inside repository `root`, if so: the repository itself, its
 * `.git`, a folder holding a package (a `package.json`), or a top-level folder git tracks files in.
 */
const sourceFolderHolding = async (root: string, out: string): Promise<string | undefined> => {
  const path = relative(root, out)
  if (path === "") return "is the repository itself"
  const segments = path.split(sep)
  if (segments[0] === ".git") return "lies inside .git"
  for (let depth = segments.length; depth >= 1; depth--) {
    const folder = segments.slice(0, depth).join(sep)
    if (await exists(join(root, folder, "package.json"))) return `lies inside ${folder}, which holds a package`
  }
  const top = segments[0] as string
  if (await holdsTrackedFiles(root, top)) return `lies inside ${top}, which holds files the repository tracks`
  return undefined
}

/**
 * The output may neither hold nor sit inside the tenants folder, may not hold the platform file,
 * and may not sit among the repository's sources (replacing it would delete what the output is
 * made from, or mix generated files into code) unless it is already an output of synth. `out/` at
 * the repository's root, any untracked folder and folders outside a repository are fine.
 */
export const checkOutputPlace = (place: OutputPlace): Effect.Effect<void, OutputFailed> =>
  Effect.gen(function* () {
    const refuse = (reason: string) => new OutputFailed({ path: place.outDir, reason })
    const overlap =
      within(place.outDir, place.tenantsDir) || within(place.tenantsDir, place.outDir)
        ? place.tenantsDir
        : within(dirname(place.platformFile), place.outDir)
          ? dirname(place.platformFile)
          : undefined
    if (overlap !== undefined)
      return yield* refuse(
        `overlaps the sources in ${relative(process.cwd(), overlap) || "."}: choose an --out outside them`,
      )
    const why = yield* Effect.promise(async () => {
      if (await isSynthOutput(place.outDir)) return undefined
      const root = await repositoryOf(place.outDir)
      return root === undefined ? undefined : sourceFolderHolding(root, place.outDir)
    })
    if (why !== undefined)
      return yield* refuse(
        `${why}: an output among the repository's sources is refused; choose an --out outside them (out/ at the repository's root)`,
      )
  })
