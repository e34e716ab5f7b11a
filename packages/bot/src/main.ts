#!/usr/bin/env node
/**
 * The bot's CLI, as the workflows call it (the only place that exits):
 *   publish --remote URL [--source-branch main] [--deploy-branch deploy] [--allow-removal a,b] [--allow-empty]
 *   diff --before DIR --after DIR --out DIR      (writes full.md and comment-N.md)
 *   comment --dir DIR --repo OWNER/NAME          (GITHUB_TOKEN; PR number from DIR/pr-number)
 */
import { appendFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { readTree, TenantFiles } from "@ppi/synth"
import { Effect } from "effect"
import { GitHub } from "./github.ts"
import { publish } from "./publish.ts"
import { renderComments, renderFull, treeChanges } from "./render-diff.ts"
import { upsertStickyComments } from "./sticky-comments.ts"

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    remote: { type: "string" },
    "source-branch": { type: "string", default: "main" },
    "deploy-branch": { type: "string", default: "deploy" },
    "allow-removal": { type: "string", default: "" },
    "allow-empty": { type: "boolean", default: false },
    before: { type: "string" },
    after: { type: "string" },
    out: { type: "string" },
    dir: { type: "string" },
    repo: { type: "string" },
  },
})

const fail = (message: string): never => {
  process.stderr.write(`ppi-bot: ${message}\n`)
  process.exit(1)
}

const synthVersion = async () => {
  const manifest = JSON.parse(await readFile(new URL("../../../synth/package.json", import.meta.url), "utf8")) as {
    version?: string
  }
  return `@ppi/synth@${manifest.version ?? "0.0.0"}`
}

const commands: Record<string, () => Promise<string>> = {
  publish: async () => {
    const result = await Effect.runPromise(
      publish({
        remote: values.remote ?? fail("publish needs --remote"),
        sourceBranch: values["source-branch"],
        deployBranch: values["deploy-branch"],
        synthVersion: await synthVersion(),
        allowRemovals: values["allow-removal"].split(",").filter(Boolean),
        allowEmpty: values["allow-empty"],
      }).pipe(Effect.provide(TenantFiles.layer)),
    )
    return JSON.stringify(result)
  },
  diff: async () => {
    const changes = treeChanges(
      await readTree(values.before ?? fail("diff needs --before")),
      await readTree(values.after ?? fail("diff needs --after")),
    )
    const out = values.out ?? fail("diff needs --out")
    await mkdir(out, { recursive: true })
    const full = renderFull(changes)
    await writeFile(join(out, "full.md"), full)
    const comments = renderComments(changes)
    for (const [index, body] of comments.entries()) await writeFile(join(out, `comment-${index + 1}.md`), body)
    if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, full)
    return `${changes.length} objects changed, ${comments.length} comment(s)`
  },
  comment: async () => {
    const dir = values.dir ?? fail("comment needs --dir")
    // The PR number comes from an artifact of an untrusted run: accept digits only.
    const number = (await readFile(join(dir, "pr-number"), "utf8")).trim()
    if (!/^\d{1,9}$/.test(number)) fail(`invalid pull request number ${JSON.stringify(number)}`)
    const [owner, repo] = (values.repo ?? fail("comment needs --repo")).split("/")
    const files = (await readdir(dir))
      .filter((file) => /^comment-\d+\.md$/.test(file))
      .sort((a, b) => Number(a.match(/\d+/)?.[0]) - Number(b.match(/\d+/)?.[0]))
    const bodies = await Promise.all(files.map((file) => readFile(join(dir, file), "utf8")))
    const result = await Effect.runPromise(
      upsertStickyComments(Number(number), bodies).pipe(
        Effect.provide(
          GitHub.layer({
            token: process.env.GITHUB_TOKEN ?? fail("GITHUB_TOKEN is not set"),
            owner: owner ?? "",
            repo: repo ?? "",
          }),
        ),
      ),
    )
    return JSON.stringify(result)
  },
}

const command =
  commands[positionals[0] ?? ""] ?? fail(`usage: ppi-bot publish|diff|comment … (got ${positionals[0] ?? "nothing"})`)
try {
  process.stdout.write(`${await command()}\n`)
} catch (error) {
  fail(error instanceof Error ? error.message : String(error))
}
