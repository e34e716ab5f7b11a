import { execFileSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { PLATFORM_FILE } from "@ppi/config"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

/** Who the test repositories' developer commits as. */
export const DEV_IDENTITY = {
  GIT_AUTHOR_NAME: "dev",
  GIT_AUTHOR_EMAIL: "dev@example.com",
  GIT_COMMITTER_NAME: "dev",
  GIT_COMMITTER_EMAIL: "dev@example.com",
}

const run = (cwd: string, ...args: ReadonlyArray<string>) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...DEV_IDENTITY },
  }).trim()

/** A bare "GitHub" remote and a developer clone (commits are pushed to the current branch) whose main holds the example tenants and the platform file. */
export const makeRemote = () => {
  const root = mkdtempSync(join(tmpdir(), "ppi-git-"))
  const remote = join(root, "remote.git")
  const dev = join(root, "dev")
  run(root, "init", "--quiet", "--bare", "--initial-branch=main", remote)
  run(root, "clone", "--quiet", remote, dev)
  run(dev, "checkout", "--quiet", "-B", "main")
  cpSync(join(repoRoot, "tenants"), join(dev, "tenants"), { recursive: true })
  mkdirSync(join(dev, "synth"))
  cpSync(join(repoRoot, PLATFORM_FILE), join(dev, PLATFORM_FILE))
  const commit = (message: string, changes: Readonly<Record<string, string | null>> = {}): string => {
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) rmSync(join(dev, path), { force: true })
      else {
        mkdirSync(dirname(join(dev, path)), { recursive: true })
        writeFileSync(join(dev, path), content)
      }
    }
    run(dev, "add", "--all")
    run(dev, "commit", "--quiet", "--allow-empty", "-m", message)
    run(dev, "push", "--quiet", "origin", `HEAD:refs/heads/${run(dev, "branch", "--show-current")}`)
    return run(dev, "rev-parse", "HEAD")
  }
  commit("Add example tenants")
  return {
    root,
    remote,
    dev,
    commit,
    git: (...args: ReadonlyArray<string>) => run(remote, ...args),
    devGit: (...args: ReadonlyArray<string>) => run(dev, ...args),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  }
}

export const tenantFile = (name: string, tier: string, extra = "") =>
  `import type { TenantInput } from "@ppi/config"\n\nexport default { name: "${name}", tier: "${tier}"${extra} } satisfies TenantInput\n`
