import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { PLATFORM_FILE } from "@ppi/config"
import { REPO } from "./synthesized.ts"

const IDENTITY = {
  GIT_AUTHOR_NAME: "e2e",
  GIT_AUTHOR_EMAIL: "e2e@example.com",
  GIT_COMMITTER_NAME: "e2e",
  GIT_COMMITTER_EMAIL: "e2e@example.com",
}

const git = (cwd: string, ...args: ReadonlyArray<string>) =>
  execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...IDENTITY } }).trim()

/** The repository's platform file, pointed at another deploy repository. */
const platformFor = (repoURL: string) => {
  const source = readFileSync(join(REPO, PLATFORM_FILE), "utf8")
  const pointed = source.replace(/repoURL: "[^"]*"/, `repoURL: "${repoURL}"`)
  if (pointed === source) throw new Error(`${PLATFORM_FILE} has no deploy repoURL to point elsewhere`)
  return pointed
}

const example = (name: string) => readFileSync(join(REPO, "tenants", `${name}.ts`), "utf8")

/** The deploy branch's file tree (what Argo CD reads), without its generated README and attributes. */
const deployTreeOf = (remote: string): ReadonlyMap<string, string> => {
  const files = git(remote, "ls-tree", "-r", "--name-only", "deploy")
    .split("\n")
    .filter((file) => file.includes("/"))
  return new Map(
    files.map((file) => [
      file,
      execFileSync("git", ["show", `deploy:${file}`], { cwd: remote, encoding: "utf8", maxBuffer: 1 << 26 }),
    ]),
  )
}

/**
 * A commit straight onto `deploy`, bypassing the bot (what a leaked push right would allow):
 * unsigned, on top of the current head, pushed as a fast-forward.
 */
const pushToDeployOf = (remote: string, message: string, changes: Readonly<Record<string, string>>) => {
  const work = mkdtempSync(join(tmpdir(), "ppi-e2e-intruder-"))
  git(work, "clone", "--quiet", "--branch", "deploy", remote, "checkout")
  const checkout = join(work, "checkout")
  for (const [path, content] of Object.entries(changes)) {
    mkdirSync(dirname(join(checkout, path)), { recursive: true })
    writeFileSync(join(checkout, path), content)
  }
  git(checkout, "add", "--all")
  git(checkout, "commit", "--quiet", "--no-gpg-sign", "-m", message)
  git(checkout, "push", "--quiet", "origin", "HEAD:refs/heads/deploy")
  const head = git(checkout, "rev-parse", "HEAD")
  rmSync(work, { recursive: true, force: true })
  return head
}

/**
 * The project's repository in miniature: a bare "GitHub" remote whose `main` holds the platform
 * file (deploying from this same remote, as `file://`) and the given example tenants, and a
 * developer clone that opens branches and merges them. `deploy` does not exist until published.
 */
export const makeProjectRepo = (tenants: ReadonlyArray<string>) => {
  const root = mkdtempSync(join(tmpdir(), "ppi-e2e-git-"))
  const remote = join(root, "remote.git")
  const dev = join(root, "dev")
  const repoURL = `file://${remote}`
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", remote)
  git(root, "clone", "--quiet", remote, dev)
  git(dev, "checkout", "--quiet", "-B", "main")
  const write = (path: string, content: string | null) => {
    if (content === null) return rmSync(join(dev, path), { force: true })
    mkdirSync(dirname(join(dev, path)), { recursive: true })
    writeFileSync(join(dev, path), content)
  }
  /** Commits the changes on the current branch and pushes it. */
  const commit = (message: string, changes: Readonly<Record<string, string | null>>) => {
    for (const [path, content] of Object.entries(changes)) write(path, content)
    git(dev, "add", "--all")
    git(dev, "commit", "--quiet", "-m", message)
    git(dev, "push", "--quiet", "origin", `HEAD:refs/heads/${git(dev, "branch", "--show-current")}`)
    return git(dev, "rev-parse", "HEAD")
  }
  commit(
    "Platform and the first tenants",
    Object.fromEntries([
      [PLATFORM_FILE, platformFor(repoURL)],
      ...tenants.map((name) => [`tenants/${name}.ts`, example(name)]),
    ]),
  )
  return {
    remote,
    repoURL,
    dev,
    commit,
    /** Opens a pull request branch off main with one commit. */
    branch: (name: string, message: string, changes: Readonly<Record<string, string | null>>) => {
      git(dev, "checkout", "--quiet", "-B", name, "main")
      return commit(message, changes)
    },
    /** Merges a branch into main (a merge commit, as GitHub does) and pushes main. */
    merge: (name: string) => {
      git(dev, "checkout", "--quiet", "main")
      git(dev, "merge", "--quiet", "--no-ff", "-m", `Merge ${name}`, name)
      git(dev, "push", "--quiet", "origin", "main")
      return git(dev, "rev-parse", "HEAD")
    },
    read: (path: string) => readFileSync(join(dev, path), "utf8"),
    deployTree: () => deployTreeOf(remote),
    example,
    deployHead: () => git(remote, "rev-parse", "deploy"),
    pushToDeploy: (message: string, changes: Readonly<Record<string, string>>) =>
      pushToDeployOf(remote, message, changes),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  }
}

export type ProjectRepo = ReturnType<typeof makeProjectRepo>
