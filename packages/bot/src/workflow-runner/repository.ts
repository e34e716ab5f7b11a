import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { DEV_IDENTITY } from "../testing/git-fixture.ts"

type Git = (args: ReadonlyArray<string>, extra?: Record<string, string>, input?: string) => string

/** git on the bare repository `remote`, as a fixed developer. */
const gitOn =
  (remote: string): Git =>
  (args, extra = {}, input) =>
    execFileSync("git", ["--git-dir", remote, ...args], {
      encoding: "utf8",
      env: { ...process.env, ...DEV_IDENTITY, ...extra },
      ...(input === undefined ? {} : { input }),
      maxBuffer: 64 * 1024 * 1024,
    }).trim()

/** A commit on top of `parent` changing files (content, or null to delete), built in a scratch index under `root`. */
const commitOn =
  (git: Git, root: string) =>
  (parent: string, message: string, changes: Readonly<Record<string, string | null>>): string => {
    const scratch = { GIT_INDEX_FILE: join(root, "change-index") }
    git(["read-tree", parent], scratch)
    for (const [path, content] of Object.entries(changes)) {
      // Mode 0 drops the entry: no work tree needed (a bare repository has none).
      if (content === null) git(["update-index", "--index-info"], scratch, `0 ${"0".repeat(40)}\t${path}\n`)
      else {
        const blob = git(["hash-object", "-w", "--stdin"], {}, content)
        git(["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], scratch)
      }
    }
    return git(["commit-tree", git(["write-tree"], scratch), "-p", parent, "-m", message])
  }

interface Repository {
  readonly full_name: string
  readonly name: string | undefined
  readonly owner: { readonly login: string }
}

/** The `workflow_run` event of a finished run of a PR's head (on the default branch's code). */
const workflowRunEvent = (
  repository: Repository,
  pull: { readonly number: number; readonly branch: string; readonly head: string; readonly base: string },
  main: string,
  run: { readonly id: number; readonly name: string; readonly conclusion: string },
) => ({
  name: "workflow_run",
  ref: "refs/heads/main",
  sha: main,
  payload: {
    action: "completed",
    workflow_run: {
      id: run.id,
      name: run.name,
      event: "pull_request",
      status: "completed",
      conclusion: run.conclusion,
      head_sha: pull.head,
      head_branch: pull.branch,
      head_repository: repository,
      pull_requests: [
        { number: pull.number, head: { ref: pull.branch, sha: pull.head }, base: { ref: "main", sha: pull.base } },
      ],
    },
    repository,
  },
})

/**
 * A local stand-in for the GitHub repository the workflows run in: a bare repository whose main
 * is this working tree as it is on disk (tracked and untracked, minus what .gitignore ignores),
 * pull requests as GitHub lays them out (refs/pull/N/head and the test-merge refs/pull/N/merge),
 * and the event payloads GitHub sends, with the fields the workflows and the bot read.
 */
export const makeRepository = (options: { readonly source: string; readonly root: string; readonly name: string }) => {
  const remote = join(options.root, "origin.git")
  const git = gitOn(remote)
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", remote])
  const index = { GIT_INDEX_FILE: join(options.root, "snapshot-index") }
  git(["--work-tree", options.source, "-C", options.source, "add", "--all", "."], index)
  const main = git(["commit-tree", git(["write-tree"], index), "-m", "Snapshot of the working tree"])
  git(["update-ref", "refs/heads/main", main])

  const [owner] = options.name.split("/") as [string]
  const repository: Repository = { full_name: options.name, name: options.name.split("/")[1], owner: { login: owner } }
  const rev = (ref: string) => git(["rev-parse", ref])
  const commit = commitOn(git, options.root)

  /** A pull request from a branch of this repository: its head, and GitHub's test merge into main. */
  const openPullRequest = (number: number, branch: string, changes: Readonly<Record<string, string | null>>) => {
    const base = rev("refs/heads/main")
    const head = commit(base, `Change ${Object.keys(changes).join(", ")}`, changes)
    git(["update-ref", `refs/heads/${branch}`, head])
    git(["update-ref", `refs/pull/${number}/head`, head])
    const merge = git(["commit-tree", `${head}^{tree}`, "-p", base, "-p", head, "-m", `Merge ${head} into ${base}`])
    git(["update-ref", `refs/pull/${number}/merge`, merge])
    const pull = (fork = false) => ({
      number,
      head: { ref: branch, sha: head, repo: fork ? { full_name: `someone/${repository.name}` } : repository },
      base: { ref: "main", sha: base, repo: repository },
    })
    return {
      number,
      head,
      merge,
      /** The `pull_request` event (GITHUB_REF refs/pull/N/merge, GITHUB_SHA the test merge). */
      event: (fork = false) => ({
        name: "pull_request",
        ref: `refs/pull/${number}/merge`,
        sha: merge,
        payload: { action: "synchronize", number, pull_request: pull(fork), repository },
      }),
      workflowRun: (run: { readonly id: number; readonly name: string; readonly conclusion: string }) =>
        workflowRunEvent(repository, { number, branch, head, base }, rev("refs/heads/main"), run),
      /** Merging it: main moves to the test merge. */
      land: () => git(["update-ref", "refs/heads/main", merge, base]),
    }
  }

  /** The `push` event of main's current head. */
  const pushToMain = (before: string) => {
    const after = rev("refs/heads/main")
    return {
      name: "push",
      ref: "refs/heads/main",
      sha: after,
      payload: { ref: "refs/heads/main", before, after, head_commit: { id: after }, repository },
    }
  }

  return { remote, git, rev, commit, openPullRequest, pushToMain, main }
}
