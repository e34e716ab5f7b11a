import { barChart, escapeHtml as e, stackedChart } from "./charts.ts"
import type { FleetData } from "./fleet-data.ts"

const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;line-height:1.5}
body{margin:0}
header,main,footer{max-width:72rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #767676}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.25rem;margin-top:2rem}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;padding:0;list-style:none}
.cards li{flex:1 1 9rem;border:1px solid #767676;border-radius:.4rem;padding:.6rem}
.cards strong{display:block;font-size:1.6rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,26rem),1fr));gap:1.5rem}
figure{margin:0}
.chart{width:100%;height:auto}
.chart .label,.chart .value{font-size:14px;fill:#1a1a1a}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #bdbdbd;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600}
.halted{color:#a30000}
a{color:#0b4f8a}
:focus-visible{outline:3px solid #0b4f8a;outline-offset:2px}
`

const num = (metric: string, value: number, text = String(value)) =>
  `<td class="num" data-metric="${e(metric)}" data-value="${value}">${e(text)}</td>`
const fmt = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits })
const percent = (used: number, total: number | undefined) =>
  total === undefined || total === 0 ? "–" : `${fmt((used / total) * 100, 1)} %`

/** Where the numbers come from: the source commit, its pull request and the deploy commit, when known. */
const header = (data: FleetData): string => {
  const { deployCommit, sourceCommit, pullRequest } = data.provenance
  return `<header>
<h1>Fleet report</h1>
<p>Rendered from the synthesized manifests${sourceCommit ? ` of source commit <code data-metric="source-commit">${e(sourceCommit.slice(0, 12))}</code>` : ""}${pullRequest !== undefined ? ` (pull request <span data-metric="pull-request">#${pullRequest}</span>)` : ""}${deployCommit ? `, on top of deploy commit <code data-metric="deploy-commit">${e(deployCommit.slice(0, 12))}</code>` : ""}.</p>
</header>`
}

/** The fleet's size and its tenants by state, as cards. */
const summarySection = (data: FleetData): string => {
  const total = data.tenants.length
  return `<section aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
<ul class="cards">
<li>Tenants<strong data-metric="tenants-total" data-value="${total}">${total}</strong></li>
<li>Active<strong data-metric="state-active" data-value="${data.byState.active}">${data.byState.active}</strong></li>
<li>Suspended<strong data-metric="state-suspended" data-value="${data.byState.suspended}">${data.byState.suspended}</strong></li>
<li>Decommissioned<strong data-metric="state-decommissioned" data-value="${data.byState.decommissioned}">${data.byState.decommissioned}</strong></li>
</ul>
</section>`
}

/** Tenants by tier: a chart and the table with the same numbers by state. */
const tiersSection = (data: FleetData): string => {
  const tiers = Object.entries(data.byTier)
  return `<section aria-labelledby="tiers-h">
<h2 id="tiers-h">Tenants by tier</h2>
<figure>
${barChart(
  "tiers",
  "Tenants by tier",
  tiers.map(([tier, n]) => `${tier}: ${n}`).join(", "),
  tiers.map(([tier, n]) => ({ label: tier, value: n })),
)}
<figcaption>The same numbers as the table below.</figcaption>
</figure>
<div class="table-wrap"><table>
<caption>Tenants per tier and state</caption>
<thead><tr><th scope="col">Tier</th><th scope="col" class="num">Tenants</th><th scope="col" class="num">Active</th><th scope="col" class="num">Suspended</th><th scope="col" class="num">Decommissioned</th></tr></thead>
<tbody>
${tiers
  .map(([tier, n]) => {
    const of = (state: string) => data.tenants.filter((row) => row.tier === tier && row.state === state).length
    return `<tr><th scope="row">${e(tier)}</th>${num(`tier-${tier}`, n)}${num(`tier-${tier}-active`, of("active"))}${num(`tier-${tier}-suspended`, of("suspended"))}${num(`tier-${tier}-decommissioned`, of("decommissioned"))}</tr>`
  })
  .join("\n")}
</tbody>
</table></div>
</section>`
}

/** One line on the rollout in progress (or its absence). */
const rolloutLineOf = (data: FleetData): string => {
  const rollout = data.rollout
  return rollout === undefined
    ? "No rollout recorded."
    : rollout.from.tag === rollout.to.tag
      ? `Every wave runs ${rollout.to.tag}.`
      : `${rollout.from.tag} → ${rollout.to.tag}: wave ${Math.min(rollout.wave + 1, data.waves.length)} of ${data.waves.length}, ${rollout.status} since ${rollout.since}.`
}

/** The rollout's status, its waves by version (chart and table) and the versions running. */
const rolloutSection = (data: FleetData): string => {
  const rollout = data.rollout
  const waveSeries = rollout === undefined ? [] : [...new Set([rollout.to.tag, rollout.from.tag])]
  const rolloutLine = rolloutLineOf(data)
  return `<section aria-labelledby="rollout-h">
<h2 id="rollout-h">Versions and rollout</h2>
<p class="status${rollout?.status === "halted" ? " halted" : ""}" data-metric="rollout-status">${e(rolloutLine)}</p>
${
  rollout === undefined
    ? ""
    : `<figure>
${stackedChart(
  "waves",
  "Tenants per wave and version",
  data.waves
    .map(
      (wave) =>
        `${wave.name}: ${
          Object.entries(wave.versions)
            .map(([v, n]) => `${n} on ${v}`)
            .join(", ") || "no tenant"
        }`,
    )
    .join("; "),
  waveSeries,
  data.waves.map((wave) => ({ label: wave.name, values: waveSeries.map((v) => wave.versions[v] ?? 0) })),
)}
<figcaption>Each wave's tenants by the version they run; the table below lists them.</figcaption>
</figure>`
}
<div class="table-wrap"><table>
<caption>Rollout waves</caption>
<thead><tr><th scope="col">Wave</th><th scope="col">Progress</th><th scope="col" class="num">Tenants</th><th scope="col">Versions</th><th scope="col" class="num">Soak</th></tr></thead>
<tbody>
${data.waves
  .map(
    (wave, index) =>
      `<tr><th scope="row">${index + 1}. ${e(wave.name)}</th><td>${wave.progress}</td>${num(`wave-${wave.name}-tenants`, wave.tenants.length)}<td>${e(
        Object.entries(wave.versions)
          .map(([v, n]) => `${v} × ${n}`)
          .join(", ") || "–",
      )}</td><td class="num">${wave.soakSeconds}s</td></tr>`,
  )
  .join("\n")}
</tbody>
</table></div>
<div class="table-wrap"><table>
<caption>API versions running</caption>
<thead><tr><th scope="col">Version</th><th scope="col" class="num">Tenants</th></tr></thead>
<tbody>
${Object.entries(data.versions)
  .sort()
  .map(([version, n]) => `<tr><th scope="row">${e(version)}</th>${num(`version-${version}`, n)}</tr>`)
  .join("\n")}
</tbody>
</table></div>
</section>`
}

/** The sum of the tenants' quotas per resource, against the cluster's capacity when the platform states it. */
const quotaRowsOf = (data: FleetData) => {
  const capacity = data.capacity
  return [
    {
      key: "cpu",
      label: "CPU requests",
      used: data.quota.cpuMillis / 1000,
      cap: capacity && capacity.cpuMillis / 1000,
      unit: "cores",
    },
    {
      key: "memory",
      label: "Memory requests",
      used: data.quota.memoryMiB / 1024,
      cap: capacity && capacity.memoryMiB / 1024,
      unit: "GiB",
    },
    { key: "storage", label: "Storage", used: data.quota.storageGiB, cap: capacity?.storageGiB, unit: "GiB" },
    { key: "pods", label: "Pods", used: data.quota.pods, cap: capacity?.pods, unit: "pods" },
  ]
}

/** Quotas against capacity: a chart of the shares and the table of sums. */
const quotaSection = (data: FleetData): string => {
  const quotaRows = quotaRowsOf(data)
  return `<section aria-labelledby="quota-h">
<h2 id="quota-h">Quotas against capacity</h2>
<figure>
${barChart(
  "quota",
  "Sum of tenant quotas as a share of cluster capacity",
  quotaRows
    .map(
      (row) =>
        `${row.label}: ${fmt(row.used, 1)} of ${row.cap === undefined ? "unknown" : fmt(row.cap, 1)} ${row.unit}`,
    )
    .join("; "),
  quotaRows.map((row) => ({
    label: row.label,
    value: row.cap ? row.used / row.cap : 0,
    max: 1,
    text: percent(row.used, row.cap),
  })),
)}
<figcaption>Quotas are ceilings, not usage: over 100 % means the quotas overcommit the cluster.</figcaption>
</figure>
<div class="table-wrap"><table>
<caption>Quota sums and capacity (from the platform file)</caption>
<thead><tr><th scope="col">Resource</th><th scope="col" class="num">Sum of quotas</th><th scope="col" class="num">Capacity</th><th scope="col" class="num">Share</th></tr></thead>
<tbody>
${quotaRows
  .map(
    (row) =>
      `<tr><th scope="row">${row.label} (${row.unit})</th>${num(`quota-${row.key}`, row.used, fmt(row.used, 1))}${row.cap === undefined ? '<td class="num">–</td>' : num(`capacity-${row.key}`, row.cap, fmt(row.cap, 1))}<td class="num">${percent(row.used, row.cap)}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table></div>
</section>`
}

/** Every tenant, one row each. */
const tenantsSection = (data: FleetData): string => `<section aria-labelledby="tenants-h">
<h2 id="tenants-h">Tenants</h2>
<div class="table-wrap"><table>
<caption>Every tenant: tier, state, version, rollout wave and custom domains</caption>
<thead><tr><th scope="col">Tenant</th><th scope="col">Tier</th><th scope="col">State</th><th scope="col">Version</th><th scope="col">Wave</th><th scope="col">Custom domains</th></tr></thead>
<tbody>
${data.tenants
  .map(
    (row) =>
      `<tr data-tenant="${e(row.name)}"><th scope="row">${e(row.name)}</th><td>${e(row.tier)}</td><td>${row.state}</td><td>${e(row.version ?? "–")}${row.pinned ? " (pinned)" : ""}</td><td>${e(row.wave ?? "–")}</td><td>${row.customDomains.length === 0 ? "–" : row.customDomains.map((d) => `<span data-domain>${e(d)}</span>`).join(", ")}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table></div>
</section>`

/** The fleet report: one static, self-contained page (no script, no external resource). */
export const renderReport = (data: FleetData): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fleet report</title>
<style>${STYLE}</style>
</head>
<body>
${header(data)}
<main>
${summarySection(data)}
<div class="grid">
${tiersSection(data)}
${rolloutSection(data)}
${quotaSection(data)}
</div>
${tenantsSection(data)}
</main>
<footer><p>Generated by <code>pnpm report</code>; static and offline: no script, no external resource.</p></footer>
</body>
</html>
`
