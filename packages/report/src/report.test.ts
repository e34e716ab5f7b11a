import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { RolloutState } from "@ppi/config"
import { PLATFORM_FILE } from "@ppi/config"
import { buildTree, loadPlatform, TenantFiles } from "@ppi/synth"
import { Effect } from "effect"
import { fleetData } from "./fleet-data.ts"
import { renderReport } from "./render-html.ts"
import { launchPage, type Page } from "./testing/chromium.ts"

const root = fileURLToPath(new URL("../../../", import.meta.url))
/** Screenshots are kept here (gitignored) for a person to look at after the run. */
const ARTIFACTS = join(root, "report-artifacts")

const platform = await Effect.runPromise(loadPlatform(join(root, PLATFORM_FILE)))
/** The example fleet mid-rollout: the canary already on the platform's version, the rest on 1.4.0. */
const rollout: RolloutState = {
  from: { repository: platform.images.api.repository, tag: "1.4.0" },
  to: platform.images.api,
  wave: 0,
  since: "2026-03-01T12:00:00.000Z",
  status: "rolling",
  pullRequest: 88,
}
const { tree } = await Effect.runPromise(
  buildTree(join(root, "tenants"), platform, { rollout }).pipe(Effect.provide(TenantFiles.layer)),
)

/** The numbers the page must show, counted from the manifests' text without the report's reader. */
const documents = [...tree].flatMap(([file, text]) =>
  file.endsWith(".yaml") ? text.split(/^---$/m).map((doc) => doc) : [],
)
const ofKind = (kind: string) => documents.filter((doc) => new RegExp(`^kind: ${kind}$`, "m").test(doc))
const expected = (() => {
  const tiers = ofKind("Namespace").map((doc) => /platform\.parametric\.dev\/tier: (\S+)/.exec(doc)?.[1])
  const hard = (key: string) =>
    ofKind("ResourceQuota").map(
      (doc) => new RegExp(`^\\s+${key.replace(".", "\\.")}: "?([^"\\s]+)"?$`, "m").exec(doc)?.[1] ?? "0",
    )
  const deployments = ofKind("Deployment")
  return {
    "tenants-total": tiers.length,
    "tier-free": tiers.filter((t) => t === "free").length,
    "tier-pro": tiers.filter((t) => t === "pro").length,
    "tier-enterprise": tiers.filter((t) => t === "enterprise").length,
    "state-suspended": deployments.filter((doc) => /^ {2}replicas: 0$/m.test(doc)).length,
    "state-decommissioned": tiers.length - deployments.length,
    "quota-cpu": hard("requests.cpu").reduce(
      (sum, q) => sum + (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q)),
      0,
    ),
    "quota-memory": hard("requests.memory").reduce((sum, q) => sum + Number(q.replace(/Mi$/, "")) / 1024, 0),
    "quota-storage": hard("requests.storage").reduce((sum, q) => sum + Number(q.replace(/Gi$/, "")), 0),
    "quota-pods": hard("pods").reduce((sum, q) => sum + Number(q), 0),
    "capacity-cpu": (platform.capacity?.cpuMillis ?? 0) / 1000,
    "version-1.4.0": deployments.filter((doc) => doc.includes(":1.4.0")).length,
    "version-1.4.2": deployments.filter((doc) => doc.includes(":1.4.2")).length,
  }
})()

let work = ""
let page: Page
let file = ""
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ppi-report-"))
  file = join(work, "index.html")
  await writeFile(file, renderReport(fleetData(tree, platform, { sourceCommit: "a".repeat(40), pullRequest: 88 })))
  page = await launchPage()
  await page.send("Runtime.enable")
  await page.send("Log.enable")
  await page.send("Page.enable")
}, 60_000)
afterAll(async () => {
  await page?.close()
  await rm(work, { recursive: true, force: true })
})

const open = async (width: number, height: number, mobile: boolean) => {
  await page.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile })
  const loaded = page.waitFor("Page.loadEventFired")
  await page.send("Page.navigate", { url: `file://${file}` })
  await loaded
}
const evaluate = async <A>(expression: string): Promise<A> => {
  const result = (await page.send("Runtime.evaluate", { expression, returnByValue: true })) as {
    result: { value: A }
    exceptionDetails?: unknown
  }
  if (result.exceptionDetails) throw new Error(JSON.stringify(result.exceptionDetails))
  return result.result.value
}
const screenshot = async (name: string) => {
  const { data } = (await page.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true })) as {
    data: string
  }
  await mkdir(ARTIFACTS, { recursive: true })
  await writeFile(join(ARTIFACTS, name), Buffer.from(data, "base64"))
  return Buffer.from(data, "base64")
}

describe("the fleet report in headless Chromium", () => {
  it("renders without a console error and shows the numbers counted from the manifests", async () => {
    await open(1280, 900, false)
    const errors = page.events.filter(
      (event) =>
        event.method === "Runtime.exceptionThrown" ||
        (event.method === "Runtime.consoleAPICalled" && event.params.type === "error") ||
        (event.method === "Log.entryAdded" && (event.params.entry as { level: string }).level === "error"),
    )
    expect(errors).toEqual([])
    const shown = await evaluate<Record<string, number>>(
      `Object.fromEntries([...document.querySelectorAll("[data-value]")].map((node) => [node.dataset.metric, Number(node.dataset.value)]))`,
    )
    for (const [metric, value] of Object.entries(expected)) expect([metric, shown[metric]]).toEqual([metric, value])
    expect(expected["tenants-total"]).toBe(4)
    expect(expected["version-1.4.0"]).toBeGreaterThan(0)
    const text = await evaluate<string>("document.body.innerText")
    expect(text).toContain("1.4.0 → 1.4.2: wave 1 of 4, rolling")
    expect(text).toContain("portal.acme.example")
    expect(text).toContain("#88")
    // Offline: the page loads nothing but itself.
    expect(await evaluate<number>(`performance.getEntriesByType("resource").length`)).toBe(0)
    expect((await screenshot("report-desktop.png")).length).toBeGreaterThan(10_000)
  }, 60_000)

  it("is accessible: landmarks, captioned tables with header cells, described charts, readable contrast", async () => {
    await open(1280, 900, false)
    const audit = await evaluate<{
      lang: string
      main: number
      tables: number
      uncaptioned: number
      charts: number
      undescribed: number
      lowContrast: ReadonlyArray<string>
    }>(`(() => {
      const luminance = (rgb) => {
        const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map(Number).map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4 })
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
      }
      const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05) }
      const lowContrast = [...document.querySelectorAll("body *")]
        .filter((el) => el.childNodes.length && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
        .filter((el) => ratio(getComputedStyle(el).color, "rgb(255, 255, 255)") < 4.5)
        .map((el) => el.tagName + ": " + el.textContent.trim().slice(0, 30))
      const tables = [...document.querySelectorAll("table")]
      const charts = [...document.querySelectorAll("svg")]
      return {
        lang: document.documentElement.lang,
        main: document.querySelectorAll("main").length,
        tables: tables.length,
        uncaptioned: tables.filter((t) => !t.caption || !t.querySelector("th[scope]")).length,
        charts: charts.length,
        undescribed: charts.filter((svg) => svg.getAttribute("role") !== "img" || !(svg.getAttribute("aria-labelledby") || "").split(" ").every((id) => document.getElementById(id)?.textContent.trim())).length,
        lowContrast,
      }
    })()`)
    expect(audit).toMatchObject({ lang: "en", main: 1, uncaptioned: 0, undescribed: 0, lowContrast: [] })
    expect(audit.tables).toBeGreaterThanOrEqual(audit.charts)
    expect(audit.charts).toBe(3)
  }, 60_000)

  it("fits a phone's screen without sideways scrolling", async () => {
    await open(390, 844, true)
    expect(await evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true)
    await screenshot("report-phone.png")
  }, 60_000)
})
