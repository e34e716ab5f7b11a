/**
 * How long reading every tenant file as data takes: TypeScript's parser and the literal walk
 * (`@ppi/data-file`), timed inside the process after the files are in memory; the parser's own
 * load time is printed beside it. Usage: parse-tenant-files.ts TENANTS_DIR
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const [tenantsDir = ""] = process.argv.slice(2)
const texts = readdirSync(tenantsDir).map((file) => [file, readFileSync(join(tenantsDir, file), "utf8")] as const)
const loading = process.hrtime.bigint()
const { parseDataFile } = await import("@ppi/data-file")
const loaded = process.hrtime.bigint()
let refused = 0
for (const [file, text] of texts) if (parseDataFile(file, text)._tag === "Refused") refused++
const parsed = process.hrtime.bigint()
if (refused > 0) throw new Error(`${refused} generated tenant files were refused`)
process.stdout.write(`${Number(parsed - loaded) / 1e9} ${Number(loaded - loading) / 1e9}\n`)
