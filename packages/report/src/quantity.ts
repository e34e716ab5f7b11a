/** Kubernetes quantities as the synth writes them in quotas: `14000m`/`2` CPU, `512Mi`/`4Gi` bytes. */
const BINARY: Readonly<Record<string, number>> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 }

export const cpuMillis = (quantity: string | undefined): number => {
  if (quantity === undefined) return 0
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity)
  if (!match) return Number.NaN
  return match[2] === "m" ? Number(match[1]) : Number(match[1]) * 1000
}

export const mebibytes = (quantity: string | undefined): number => {
  if (quantity === undefined) return 0
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(quantity)
  if (!match) return Number.NaN
  return match[2] === undefined ? Number(match[1]) / (1024 * 1024) : Number(match[1]) * (BINARY[match[2]] ?? Number.NaN)
}
