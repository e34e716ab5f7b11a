#!/usr/bin/env node
/**
 * `pnpm bench [N …] [--runs R]`: the real synth end to end against the baselines, on the same
 * tenants and objects. Prints one table and writes bench-results/results.json.
 */
import { execFileSync } from "node:child_process"
import { cp, mkdir, readdir, rm, writeFile } from "node:fs/promises"
import { cpus, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { platformFileText, roomyPlatformInput } from "@ppi/synth/testing"
import { fleet, writeFleet } from "./fleet.ts"
import { ensureKustomize } from "./kustomize.ts"
import { ensureGnuTime, type Measurement, measure, repeat } from "./measure.ts"

const root = new URL("../../../", import.meta.url).pathname
const node = process.execPath
const synthMain = join(root, "synth/src/main.ts")
const quiet = "--disable-warning=ExperimentalWarning"

const usage = "usage: bench [N …] [--runs R]   (fleet sizes, default 100 1000 10000; R runs each, default 3)"

const parse = () => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { runs: { type: "string", default: "3" }, help: { type: "boolean", short: "h", default: false } },
    })
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`)
    process.exit(2)
  }
}
const { positionals, values } = parse()
if (values.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}
const sizes = positionals.length > 0 ? positionals.map(Number) : [100, 1000, 10000]
const runs = Number(values.runs)
if (!sizes.every((size) => Number.isInteger(size) && size > 0) || !(Number.isInteger(runs) && runs > 0)) {
  process.stderr.write(`fleet sizes and runs are positive whole numbers\n${usage}\n`)
  process.exit(2)
}

interface Row {
  readonly scenario: string
  readonly tenants: number
  readonly seconds: number | null
  readonly maxRssMiB: number | null
  readonly note?: string
}
const rows: Array<Row> = []
const record = (scenario: string, tenants: number, m: Measurement | null, note?: string) => {
  rows.push({
    scenario,
    tenants,
    seconds: m?.seconds ?? null,
    maxRssMiB: m?.maxRssMiB ?? null,
    ...(note ? { note } : {}),
  })
  process.stderr.write(
    `  ${scenario} N=${tenants}: ${m ? `${m.seconds.toFixed(2)} s${Number.isNaN(m.maxRssMiB) ? "" : `, ${m.maxRssMiB.toFixed(0)} MiB`}` : note}\n`,
  )
}

ensureGnuTime()
const kustomize = await ensureKustomize()
const work = join(tmpdir(), `ppi-bench-${process.pid}`)

/**
 * The repository's platform with shared servers big enough for any generated fleet: the bench
 * measures the synth, and the synth refuses a fleet whose tier limits exceed the servers'
 * capacity (a fleet of thousands needs several servers, which the platform file cannot express).
 */
const platformFile = join(work, "platform.ts")
await mkdir(work, { recursive: true })
// Custom domains of the generated fleet (`portal.<name>.example`), as the platform team would verify them.
await writeFile(
  platformFile,
  platformFileText(
    roomyPlatformInput(Object.fromEntries(fleet(Math.max(...sizes)).map(({ name }) => [name, [`${name}.example`]]))),
  ),
)

for (const n of sizes) {
  process.stderr.write(`N = ${n}\n`)
  const dir = join(work, String(n))
  const tenants = join(dir, "tenants")
  await writeFleet(tenants, fleet(n))
  const out = join(dir, "out")
  const synth = () => measure(node, [quiet, synthMain, "--tenants", tenants, "--out", out, "--platform", platformFile])
  const times = n >= 10000 ? 1 : runs
  record(
    "synth (cold: empty out/)",
    n,
    await repeat(times, async () => {
      await rm(out, { recursive: true, force: true })
      await rm(join(dir, ".out.generations"), { recursive: true, force: true })
      return synth()
    }),
  )
  record("synth (warm: nothing changed, every tenant reused)", n, await repeat(times, synth))

  // Only the serializing is timed, inside the process (building the objects first is not).
  const floor = execFileSync(
    node,
    [quiet, join(root, "packages/bench/src/baselines/serialize-floor.ts"), tenants, platformFile],
    {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    },
  )
  record("serialization floor (c)", n, { seconds: Number(floor.split(" ")[0]), maxRssMiB: Number.NaN })

  if (n <= 1000)
    record(
      "(a) one cdk8s App, synthYaml()",
      n,
      await repeat(Math.min(times, 2), () =>
        measure(node, [quiet, join(root, "packages/bench/src/baselines/single-app.ts"), tenants, platformFile]),
      ),
    )
  else record("(a) one cdk8s App, synthYaml()", n, null, "skipped: grows quadratically (hours at this size)")

  if (kustomize !== undefined && n <= 1000) {
    const overlays = join(dir, "kustomize")
    for (const tenant of (await readdir(out)).filter((name) => !name.startsWith("_"))) {
      await cp(join(out, tenant), join(overlays, tenant), { recursive: true, dereference: true })
      const files = (await readdir(join(overlays, tenant), { recursive: true }))
        .filter((file) => file.endsWith(".yaml"))
        .sort()
      await writeFile(
        join(overlays, tenant, "kustomization.yaml"),
        `resources:\n${files.map((file) => `- ${file}`).join("\n")}\n`,
      )
    }
    const script = `for d in ${overlays}/*/; do ${kustomize} build "$d" > /dev/null || exit 1; done`
    record("(b) kustomize build, one overlay per tenant", n, await repeat(1, () => measure("sh", ["-c", script])))
  } else
    record(
      "(b) kustomize build, one overlay per tenant",
      n,
      null,
      kustomize ? "skipped above 1,000 tenants (one process per tenant)" : "kustomize could not be built",
    )

  if (n >= 1000) {
    // One tenant changes: time until the rendered diff is ready (synth, which renders only that
    // tenant and reuses the rest of its previous output, then the diff against that output).
    const before = join(dir, "before")
    await cp(out, before, { recursive: true, dereference: true })
    const first = fleet(n)[0]
    await writeFile(
      join(tenants, `${first?.name}.ts`),
      `export default ${JSON.stringify({ ...first, displayName: "Changed" })}\n`,
    )
    const script = `${node} ${quiet} ${synthMain} --tenants ${tenants} --out ${out} --platform ${platformFile} && ${node} ${quiet} ${join(root, "packages/bot/src/main.ts")} diff --before ${before} --after ${out} --out ${join(dir, "diff")}`
    record("one tenant changed → diff ready", n, await measure("sh", ["-c", script]))
  }
}

// Tenant files are parsed, never run: the parse alone, in memory (the parser loads once, apart).
// The claim is about 10,000 files, so they are parsed whatever fleet sizes were asked for.
const PARSED_FILES = 10_000
const parseDir = join(work, "parse")
await writeFleet(parseDir, fleet(PARSED_FILES))
const parseOutput = execFileSync(
  node,
  [quiet, join(root, "packages/bench/src/baselines/parse-tenant-files.ts"), parseDir],
  { encoding: "utf8" },
).trim()
const [parseSeconds, parserLoad] = parseOutput.split(" ").map(Number)
if (!Number.isFinite(parseSeconds) || !Number.isFinite(parserLoad))
  throw new Error(`the parse baseline printed "${parseOutput}", not two numbers of seconds`)
record(`parse tenant files as data (+ ${parserLoad?.toFixed(2)} s parser load)`, PARSED_FILES, {
  seconds: parseSeconds as number,
  maxRssMiB: Number.NaN,
})
await rm(work, { recursive: true, force: true })

const seconds = (scenario: string, n: number) =>
  rows.find((r) => r.scenario === scenario && r.tenants === n)?.seconds ?? null
const synthAt = (n: number) => seconds("synth (cold: empty out/)", n)
const parsedAt = (n: number) =>
  rows.find((row) => row.tenants === n && row.scenario.startsWith("parse tenant files as data"))?.seconds ?? null
const peakAt = (n: number) => {
  const peaks = rows
    .filter((r) => r.tenants === n && r.scenario.startsWith("synth (") && r.maxRssMiB !== null)
    .map((r) => r.maxRssMiB ?? 0)
  return peaks.length === 0 ? null : Math.max(...peaks)
}
// The one-change target is for the largest fleet measured (10,000 when it ran).
const changedAt = Math.max(
  1000,
  ...rows.filter((r) => r.scenario === "one tenant changed → diff ready").map((r) => r.tenants),
)
const targets: ReadonlyArray<readonly [string, boolean | null, string]> = [
  ["1,000 tenants ≤ 3 s", synthAt(1000) === null ? null : (synthAt(1000) ?? 0) <= 3, `${synthAt(1000)?.toFixed(2)} s`],
  [
    "10,000 tenants ≤ 30 s",
    synthAt(10000) === null ? null : (synthAt(10000) ?? 0) <= 30,
    `${synthAt(10000)?.toFixed(2)} s`,
  ],
  [
    "10,000 tenants ≤ 1 GiB peak RSS (cold and warm)",
    peakAt(10000) === null ? null : (peakAt(10000) ?? 0) <= 1024,
    `${peakAt(10000)?.toFixed(0)} MiB`,
  ],
  [
    "10,000 tenant files parsed as data ≤ 1 s",
    parsedAt(PARSED_FILES) === null ? null : (parsedAt(PARSED_FILES) ?? 0) <= 1,
    `${parsedAt(PARSED_FILES)?.toFixed(2)} s`,
  ],
  [
    "linear: 10× tenants ≤ 11× time (1k → 10k)",
    synthAt(10000) && synthAt(1000) ? (synthAt(10000) ?? 0) <= 11 * (synthAt(1000) ?? 0) : null,
    synthAt(10000) && synthAt(1000) ? `${((synthAt(10000) ?? 0) / (synthAt(1000) ?? 1)).toFixed(1)}×` : "n/a",
  ],
  [
    "end to end ≤ 2× serialization floor (1k)",
    synthAt(1000) && seconds("serialization floor (c)", 1000)
      ? (synthAt(1000) ?? 0) <= 2 * (seconds("serialization floor (c)", 1000) ?? 0)
      : null,
    seconds("serialization floor (c)", 1000)
      ? `${((synthAt(1000) ?? 0) / (seconds("serialization floor (c)", 1000) ?? 1)).toFixed(1)}×`
      : "n/a",
  ],
  [
    `one changed tenant in ${changedAt} → output + diff ≤ 1 s`,
    seconds("one tenant changed → diff ready", changedAt) === null
      ? null
      : (seconds("one tenant changed → diff ready", changedAt) ?? 0) <= 1,
    `${seconds("one tenant changed → diff ready", changedAt)?.toFixed(2)} s`,
  ],
  [
    "(a) one cdk8s App ≥ 10× slower (1k)",
    seconds("(a) one cdk8s App, synthYaml()", 1000) && synthAt(1000)
      ? (seconds("(a) one cdk8s App, synthYaml()", 1000) ?? 0) >= 10 * (synthAt(1000) ?? 0)
      : null,
    `${((seconds("(a) one cdk8s App, synthYaml()", 1000) ?? 0) / (synthAt(1000) ?? 1)).toFixed(1)}×`,
  ],
  [
    "faster than every baseline (a), (b)",
    synthAt(1000) === null
      ? null
      : ["(a) one cdk8s App, synthYaml()", "(b) kustomize build, one overlay per tenant"].every(
          (s) => (seconds(s, 1000) ?? Number.POSITIVE_INFINITY) > (synthAt(1000) ?? 0),
        ),
    ["(a) one cdk8s App, synthYaml()", "(b) kustomize build, one overlay per tenant"]
      .map((s) => `${s.slice(0, 3)} ${((seconds(s, 1000) ?? 0) / (synthAt(1000) ?? 1)).toFixed(1)}× slower`)
      .join(", "),
  ],
]

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`
const table = [
  `Machine: ${machine}`,
  "",
  "| scenario | tenants | median s | peak RSS MiB | × synth |",
  "|---|---:|---:|---:|---:|",
  ...rows.map((r) => {
    const base = synthAt(r.tenants)
    const ratio = r.seconds !== null && base ? `${(r.seconds / base).toFixed(2)}` : "–"
    const rss = r.maxRssMiB === null || Number.isNaN(r.maxRssMiB) ? "–" : r.maxRssMiB.toFixed(0)
    return `| ${r.scenario} | ${r.tenants} | ${r.seconds?.toFixed(2) ?? r.note} | ${rss} | ${ratio} |`
  }),
  "",
  "| target | met | measured |",
  "|---|---|---|",
  ...targets.map(
    ([name, met, measured]) =>
      `| ${name} | ${met === null ? "not measured" : met ? "yes" : "no"} | ${met === null ? "–" : measured} |`,
  ),
].join("\n")
process.stdout.write(`${table}\n`)
await mkdir(join(root, "bench-results"), { recursive: true })
await writeFile(
  join(root, "bench-results/results.json"),
  `${JSON.stringify({ machine, rows, targets: targets.map(([name, met, measured]) => ({ name, met, measured })) }, null, 2)}\n`,
)
await writeFile(join(root, "bench-results/results.md"), `${table}\n`)
