#!/usr/bin/env node
/**
 * The bot's CLI, as the workflows call it (the only place that exits):
 *   publish --remote URL [--source-branch main] [--deploy-branch deploy] [--allow-removal a,b] [--allow-empty]
 *                                                (GITHUB_TOKEN for an https remote: never in the URL)
 *   diff --before DIR --after DIR --out DIR      (writes full.md and comment-N.md)
 *   comment --dir DIR --repo OWNER/NAME [--event FILE] [--kind rendered-diff|cluster-preview]
 *                                                (GITHUB_TOKEN; the PR comes from the workflow_run
 *                                                event at GITHUB_EVENT_PATH, never from DIR)
 */
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { readTree, TenantFiles } from "@ppi/synth"
import { Effect, Schema } from "effect"
import { redactCredentials } from "./git.ts"
import { GitHub } from "./github.ts"
import { postPreview, WorkflowRunEvent } from "./preview-comment.ts"
import { publish } from "./publish.ts"
import { renderComments, renderFull, treeChanges } from "./render-diff.ts"

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
    event: { type: "string" },
    kind: { type: "string", default: "rendered-diff" },
  },
})

const fail = (message: string): never => {
  process.stderr.write(`ppi-bot: ${redactCredentials(message)}\n`)
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
        ...(process.env.GITHUB_TOKEN ? { token: process.env.GITHUB_TOKEN } : {}),
        ...(process.env.PPI_SIGNING_KEY ? { signingKey: process.env.PPI_SIGNING_KEY } : {}),
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
    const [owner, repo] = (values.repo ?? fail("comment needs --repo")).split("/")
    const eventFile =
      values.event ?? process.env.GITHUB_EVENT_PATH ?? fail("comment needs --event or GITHUB_EVENT_PATH")
    const event = Schema.decodeUnknownSync(WorkflowRunEvent)(JSON.parse(await readFile(eventFile, "utf8")))
    const result = await Effect.runPromise(
      postPreview(
        dir,
        event,
        values.kind === "cluster-preview"
          ? "cluster-preview"
          : values.kind === "rendered-diff"
            ? "rendered-diff"
            : fail(`unknown --kind ${values.kind}`),
      ).pipe(
        Effect.provide(
          GitHub.layer({
            token: process.env.GITHUB_TOKEN ?? fail("GITHUB_TOKEN is not set"),
            owner: owner ?? "",
            repo: repo ?? "",
            ...(process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {}),
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
