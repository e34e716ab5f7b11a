/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean
  readonly columns?: number
  write(text: string): unknown
}

export interface Progress {
  readonly update: (done: number, total: number) => void
  readonly finish: () => void
}

const QUIET_SECONDS = 1
const LINE_EVERY_SECONDS = 5
const REDRAW_EVERY_SECONDS = 0.1

const duration = (seconds: number): string =>
  seconds >= 60
    ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`
    : `${Math.round(seconds)}s`

/**
 * Progress of a long render: a bar redrawn in place on a terminal (done / total, rate, ETA), a
 * plain line every few seconds otherwise (CI logs), and nothing for a run that ends within a second.
 */
export const progressReporter = (stream: ProgressStream, now: () => number = () => performance.now()): Progress => {
  const started = now()
  let drawnAt = Number.NEGATIVE_INFINITY
  let drawn = false
  return {
    update: (done, total) => {
      const elapsed = (now() - started) / 1000
      if (elapsed < QUIET_SECONDS || total === 0 || done === 0) return
      const every = stream.isTTY ? REDRAW_EVERY_SECONDS : LINE_EVERY_SECONDS
      if (elapsed - drawnAt < every && done < total) return
      drawnAt = elapsed
      const rate = done / elapsed
      const eta = rate > 0 ? (total - done) / rate : 0
      const figures = `${done}/${total} tenants, ${rate.toFixed(0)}/s, ETA ${duration(eta)}`
      if (stream.isTTY) {
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - figures.length - 10))
        const filled = Math.round((width * done) / total)
        stream.write(`\r\x1b[2Ksynth [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${figures}`)
      } else stream.write(`synth: ${figures}\n`)
      drawn = true
    },
    finish: () => {
      if (drawn && stream.isTTY) stream.write("\r\x1b[2K")
    },
  }
}
