import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"

const KUSTOMIZE_VERSION = "v5.7.1"

/** Builds kustomize from the Go module proxy once, cached outside the repository by version. */
export const ensureKustomize = async (): Promise<string | undefined> => {
  const bin = join(homedir(), ".cache/ppi-bench", `kustomize-${KUSTOMIZE_VERSION}`)
  const path = join(bin, "kustomize")
  if (existsSync(path)) return path
  try {
    process.stderr.write(`building kustomize ${KUSTOMIZE_VERSION} from the Go module proxy…\n`)
    execFileSync("go", ["install", `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`], {
      env: { ...process.env, GOBIN: bin },
      stdio: "inherit",
    })
    return path
  } catch {
    return undefined
  }
}
