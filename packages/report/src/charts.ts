/** Inline SVG bar charts: no script, no external reference; each is described for screen readers. */
export interface Bar {
  readonly label: string
  readonly value: number
  /** Bar length relative to this (defaults to the largest value). */
  readonly max?: number
  readonly text?: string
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c)

/** Colours with at least 4.5:1 contrast against white (WCAG AA for the text drawn beside them). */
const PALETTE = ["#1f5f99", "#a34700", "#2e6b30", "#6b3fa0", "#8a1c3b"] as const

/** Horizontal bars, one per row, label left, value right: readable at any width (viewBox scales). */
export const barChart = (id: string, title: string, description: string, bars: ReadonlyArray<Bar>): string => {
  const row = 28
  const height = bars.length * row + 8
  const largest = Math.max(1, ...bars.map((bar) => bar.max ?? bar.value))
  const body = bars
    .map((bar, index) => {
      const y = index * row + 4
      const width = Math.max(0, Math.min(1, bar.value / (bar.max ?? largest))) * 300
      return [
        `<text x="0" y="${y + 18}" class="label">${escapeHtml(bar.label)}</text>`,
        `<rect x="140" y="${y + 4}" width="${width.toFixed(1)}" height="18" fill="${PALETTE[index % PALETTE.length]}"/>`,
        `<text x="${(146 + width).toFixed(1)}" y="${y + 18}" class="value">${escapeHtml(bar.text ?? String(bar.value))}</text>`,
      ].join("")
    })
    .join("\n")
  return `<svg viewBox="0 0 560 ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" class="chart">
<title id="${id}-title">${escapeHtml(title)}</title>
<desc id="${id}-desc">${escapeHtml(description)}</desc>
${body}
</svg>`
}

/** Stacked horizontal bars: one row per label, segments per series, with a legend. */
export const stackedChart = (
  id: string,
  title: string,
  description: string,
  series: ReadonlyArray<string>,
  rows: ReadonlyArray<{ readonly label: string; readonly values: ReadonlyArray<number> }>,
): string => {
  const row = 28
  const legend = 24
  const height = rows.length * row + legend + 8
  const largest = Math.max(1, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0)))
  const legendSvg = series
    .map(
      (name, index) =>
        `<rect x="${140 + index * 130}" y="4" width="12" height="12" fill="${PALETTE[index % PALETTE.length]}"/><text x="${156 + index * 130}" y="15" class="value">${escapeHtml(name)}</text>`,
    )
    .join("")
  const body = rows
    .map((r, index) => {
      const y = legend + index * row + 4
      let x = 140
      const segments = r.values
        .map((value, s) => {
          const width = (value / largest) * 300
          const rect = `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${width.toFixed(1)}" height="18" fill="${PALETTE[s % PALETTE.length]}"/>`
          x += width
          return rect
        })
        .join("")
      return `<text x="0" y="${y + 18}" class="label">${escapeHtml(r.label)}</text>${segments}<text x="${(x + 6).toFixed(1)}" y="${y + 18}" class="value">${r.values.reduce((a, b) => a + b, 0)}</text>`
    })
    .join("\n")
  return `<svg viewBox="0 0 560 ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" class="chart">
<title id="${id}-title">${escapeHtml(title)}</title>
<desc id="${id}-desc">${escapeHtml(description)}</desc>
${legendSvg}
${body}
</svg>`
}
