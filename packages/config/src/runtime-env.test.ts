import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { EnvContract } from "./env-contract.ts"
import { decodeRuntimeEnv } from "./runtime-env.ts"

const env: Record<string, string> = {
  TENANT_NAME: "acme",
  TENANT_TIER: "pro",
  TENANT_DISPLAY_NAME: "Acme",
  TENANT_STATE: "active",
  PUBLIC_URL: "https://acme.apps.example.com",
  TENANT_HOSTNAMES: "acme.apps.example.com",
  TENANT_ENV_KEYS: "",
  FEATURE_FLAGS: "",
  PORT: "8080",
  POSTGRES_HOST: "db",
  POSTGRES_PORT: "5432",
  POSTGRES_DB: "tenants",
  POSTGRES_USER: "tenant_acme",
  POSTGRES_SCHEMA: "tenant_acme",
  POSTGRES_PASSWORD: "p",
  REDIS_HOST: "cache",
  REDIS_PORT: "6379",
  REDIS_USERNAME: "tenant-acme",
  REDIS_KEY_PREFIX: "acme:",
  REDIS_PASSWORD: "r",
  SESSION_SECRET: "s",
  RESEND_API_KEY: "k",
  PATH: "/usr/bin",
}

describe("decodeRuntimeEnv", () => {
  it.effect("ignores unrelated variables and keeps secrets redacted", () =>
    Effect.gen(function* () {
      const config = yield* decodeRuntimeEnv(env)
      expect(config.port).toBe(8080)
      expect(Redacted.value(config.redis.password)).toBe("r")
      expect(JSON.stringify(config)).not.toMatch(/"(p|r|s|k)"/)
    }),
  )

  it.effect("lists every missing or invalid variable by name", () =>
    Effect.gen(function* () {
      const { POSTGRES_PASSWORD: _p, TENANT_NAME: _n, ...rest } = env
      const error = yield* Effect.flip(decodeRuntimeEnv({ ...rest, PORT: "http" }))
      expect(error.issues.map((issue) => issue.path).sort()).toEqual(["PORT", "POSTGRES_PASSWORD", "TENANT_NAME"])
    }),
  )

  it("declares every contract variable once", () => {
    const names = EnvContract.map((spec) => spec.name)
    expect(new Set(names).size).toBe(names.length)
    expect(EnvContract.find((spec) => spec.name === "RESEND_API_KEY")).toMatchObject({ secret: true, required: true })
  })
})
