import { describe, expect, it } from "@effect/vitest"
import { progressReporter } from "./progress.ts"

/** A stream that records what was written, and a clock the test moves. */
const setup = (isTTY: boolean) => {
  const written: Array<string> = []
  let seconds = 0
  const progress = progressReporter({ isTTY, columns: 100, write: (text) => written.push(text) }, () => seconds * 1000)
  return { written, progress, at: (s: number) => (seconds = s) }
}

describe("render progress", () => {
  it("prints nothing for a run that ends within a second", () => {
    for (const tty of [true, false]) {
      const { written, progress, at } = setup(tty)
      for (let done = 1; done <= 100; done++) {
        at(done / 120)
        progress.update(done, 100)
      }
      progress.finish()
      expect(written).toEqual([])
    }
  })

  it("draws a bar in place on a terminal: done / total, rate and ETA, cleared at the end", () => {
    const { written, progress, at } = setup(true)
    at(2)
    progress.update(500, 2000)
    const clearLine = "\r\x1b[2K"
    expect(written.at(-1)?.startsWith(clearLine)).toBe(true)
    expect(written.at(-1)?.slice(clearLine.length)).toMatch(/^synth \[#+-+\] 500\/2000 tenants, 250\/s, ETA 6s$/)
    at(2.05)
    progress.update(510, 2000)
    expect(written).toHaveLength(1)
    progress.finish()
    expect(written.at(-1)).toBe("\r\x1b[2K")
  })

  it("prints a plain line every few seconds when not a terminal, and the last one", () => {
    const { written, progress, at } = setup(false)
    for (let tenths = 11; tenths <= 200; tenths++) {
      at(tenths / 10)
      progress.update(tenths * 50, 10_000)
    }
    progress.finish()
    expect(written).toEqual([
      "synth: 550/10000 tenants, 500/s, ETA 19s\n",
      "synth: 3050/10000 tenants, 500/s, ETA 14s\n",
      "synth: 5550/10000 tenants, 500/s, ETA 9s\n",
      "synth: 8050/10000 tenants, 500/s, ETA 4s\n",
      "synth: 10000/10000 tenants, 500/s, ETA 0s\n",
    ])
  })
})
