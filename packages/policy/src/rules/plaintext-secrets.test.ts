import { describe, expect, it } from "@effect/vitest"
import { findPlaintextSecrets, redactSecrets } from "./plaintext-secrets.ts"

describe("findPlaintextSecrets", () => {
  const reasons = (object: Record<string, unknown>) => findPlaintextSecrets(object).map((finding) => finding.reason)

  it("catches a Secret with data or stringData", () => {
    expect(reasons({ kind: "Secret", data: { x: "eA==" } })).toContain("a Secret with data in git")
    expect(reasons({ kind: "Secret", stringData: { x: "y" } })).toContain("a Secret with data in git")
    expect(reasons({ kind: "Secret", type: "Opaque" })).toEqual([])
  })

  it("catches credential-named fields holding literals", () => {
    expect(reasons({ kind: "ConfigMap", data: { DB_PASSWORD: "hunter2" } })).toEqual([
      '"DB_PASSWORD" holds a literal value',
    ])
    expect(reasons({ spec: { apiKey: "abc" } })).toEqual(['"apiKey" holds a literal value'])
  })

  it("catches well-known key formats and random-looking tokens anywhere", () => {
    expect(reasons({ data: { cert: "-----BEGIN RSA PRIVATE KEY-----\nMII..." } })).toContain(
      "looks like a PEM private key",
    )
    expect(reasons({ data: { id: "AKIAIOSFODNN7EXAMPLE" } })).toContain("looks like an AWS access key id")
    expect(reasons({ data: { url: "postgres://app:s3cret@db:5432/x" } })).toContain("looks like a URL with a password")
    expect(reasons({ data: { note: "use Xk9fQ2mZ7pL4vR8sT1wY6bN3cJ5hG0dE to log in" } })).toContain(
      "looks like a generated key or password",
    )
  })

  it("lets digests, names and references through", () => {
    expect(
      reasons({
        image: `ghcr.io/x/api:1.0@sha256:${"ab12".repeat(16)}`,
        env: [
          {
            name: "POSTGRES_PASSWORD",
            valueFrom: { secretKeyRef: { name: "api-credentials", key: "POSTGRES_PASSWORD" } },
          },
        ],
        annotations: {
          "platform.parametric.dev/env-checksum": "0dc552a4096d5a74c3dc6970d913e9a1dbf3f027b427bf2e464e5b6cd291db7a",
        },
      }),
    ).toEqual([])
  })
})

describe("redactSecrets", () => {
  it("masks secret-shaped values and credential-named fields, leaving the rest", () => {
    expect(redactSecrets("+  DB_PASSWORD: hunter2")).toBe("+  DB_PASSWORD: [redacted]")
    expect(redactSecrets("key AKIAIOSFODNN7EXAMPLE here")).toBe("key [redacted] here")
    expect(redactSecrets("- token Xk9fQ2mZ7pL4vR8sT1wY6bN3cJ5hG0dE")).toBe("- token [redacted]")
    expect(redactSecrets("+  replicas: 3")).toBe("+  replicas: 3")
    expect(redactSecrets('   secrets: "16"'.replace('"16"', "16"))).toBe("   secrets: 16")
    expect(redactSecrets("  name: POSTGRES_PASSWORD")).toBe("  name: POSTGRES_PASSWORD")
  })
})
