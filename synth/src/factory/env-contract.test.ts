import { describe, expect, it } from "@effect/vitest"
import {
  CREDENTIALS_SECRET,
  contractFor,
  decodeRuntimeEnv,
  ENV_CONFIGMAP,
  type Platform,
  type TenantInput,
} from "@ppi/config"
import { Effect, Redacted } from "effect"
import { examplePlatform, platformFor } from "../testing/fixtures.ts"
import { render } from "../testing/render.ts"

interface EnvEntry {
  name: string
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional: boolean } }
}

/** What External Secrets would write into `api-credentials`: the ExternalSecret's data, read from the store. */
const materialize = (
  objects: ReadonlyArray<{ kind: string; metadata: { name: string } }>,
  store: Record<string, Record<string, string>>,
): Record<string, string> => {
  const externalSecret = objects.find(
    (o) => o.kind === "ExternalSecret" && o.metadata.name === CREDENTIALS_SECRET,
  ) as unknown as {
    spec: { data: Array<{ secretKey: string; remoteRef: { key: string; property: string } }> }
  }
  return Object.fromEntries(
    externalSecret.spec.data.flatMap(({ secretKey, remoteRef }) => {
      const value = store[remoteRef.key]?.[remoteRef.property]
      return value === undefined ? [] : [[secretKey, value]]
    }),
  )
}

/** What the kubelet would give the container: the ConfigMap via envFrom, secret refs resolved. */
const podEnv = (input: TenantInput, platform: Platform, store: Record<string, Record<string, string>>) => {
  const { objects } = render(input, platform)
  const secrets = materialize(objects, store)
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === ENV_CONFIGMAP) as unknown as {
    data: Record<string, string>
  }
  const deployment = objects.find((o) => o.kind === "Deployment") as unknown as {
    spec: { template: { spec: { containers: Array<{ env: Array<EnvEntry>; envFrom: Array<unknown> }> } } }
  }
  const container = deployment.spec.template.spec.containers[0]
  if (!container) throw new Error("no container")
  expect(container.envFrom).toEqual([{ configMapRef: { name: ENV_CONFIGMAP } }])
  const env: Record<string, string> = { ...configMap.data }
  for (const entry of container.env) {
    const ref = entry.valueFrom?.secretKeyRef
    expect(ref?.name).toBe(CREDENTIALS_SECRET)
    if (ref && secrets[ref.key] !== undefined) env[entry.name] = secrets[ref.key] as string
  }
  return { env, secretRefs: container.env.map((entry) => entry.name).sort() }
}

/** The platform namespace's Secrets as the generator and the operator left them. */
const secrets = {
  "tenant-acme-credentials": { POSTGRES_PASSWORD: "pg-pass", REDIS_PASSWORD: "redis-pass", SESSION_SECRET: "session" },
  "email-provider": { RESEND_API_KEY: "re_key" },
}

const acme: TenantInput = {
  name: "acme",
  tier: "pro",
  displayName: "Acme",
  hostnames: ["portal.acme.io"],
  env: { EMAIL_FROM: "a@acme.io", SMTP_HOST: "smtp.acme.io", APP_MODE: "b2b" },
  features: { sso: true, beta: false, audit: true },
}

describe("env contract round trip", () => {
  it.effect(
    "decodes the env the Deployment sets, with credentials as External Secrets materializes them, back into the tenant's settings",
    () =>
      Effect.gen(function* () {
        const { env } = podEnv(acme, examplePlatform, secrets)
        const runtime = yield* decodeRuntimeEnv(env)
        expect(runtime.tenant).toEqual({
          name: "acme",
          tier: "pro",
          displayName: "Acme",
          state: "active",
          publicUrl: "https://acme.apps.parametric.dev",
          hostnames: ["acme.apps.parametric.dev", "portal.acme.io"],
          features: ["audit", "sso"],
        })
        expect(runtime.tenantEnv).toEqual(acme.env)
        expect(runtime.email.settings).toEqual({ EMAIL_FROM: "a@acme.io", SMTP_HOST: "smtp.acme.io" })
        expect(runtime.postgres).toMatchObject({ user: "tenant_acme", schema: "tenant_acme", ssl: false, port: 5432 })
        expect(runtime.redis).toMatchObject({ username: "tenant-acme", keyPrefix: "acme:", tls: false })
        expect(Redacted.value(runtime.postgres.password)).toBe("pg-pass")
        expect(Redacted.value(runtime.email.resendApiKey)).toBe("re_key")
        expect(String(runtime.sessionSecret)).not.toContain("session")
      }),
  )

  it("references every secret var of the contract from the credentials Secret, and nothing else", () => {
    const { secretRefs, env } = podEnv(acme, examplePlatform, {})
    expect(secretRefs).toEqual(
      contractFor("selfhosted")
        .filter((spec) => spec.secret)
        .map((spec) => spec.name)
        .sort(),
    )
    for (const name of secretRefs) expect(env[name]).toBeUndefined()
  })

  it("sets every non-secret var of the contract for the platform's mode", () => {
    for (const platform of [examplePlatform, platformFor({ mode: "cloud" })]) {
      const { env } = podEnv(acme, platform, secrets)
      for (const spec of contractFor(platform.mode).filter((s) => !s.secret && s.required))
        if (spec.name !== "REDIS_TLS_CA") expect(env, spec.name).toHaveProperty(spec.name)
    }
  })

  it.effect("turns on TLS to PostgreSQL and Redis in cloud mode", () =>
    Effect.gen(function* () {
      const { env } = podEnv(acme, platformFor({ mode: "cloud" }), secrets)
      const runtime = yield* decodeRuntimeEnv(env)
      expect(env.POSTGRES_SSL).toBe("true")
      expect([runtime.postgres.ssl, runtime.redis.tls, runtime.redis.port]).toEqual([true, true, 6380])
    }),
  )

  it.effect("fails at start-up, naming the variable, when a required secret is missing", () =>
    Effect.gen(function* () {
      const { env } = podEnv(acme, examplePlatform, { ...secrets, "email-provider": {} })
      const error = yield* Effect.flip(decodeRuntimeEnv(env))
      expect(error.message).toContain("environment: RESEND_API_KEY")
    }),
  )
})
