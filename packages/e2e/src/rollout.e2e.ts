import { join } from "node:path"
import { afterAll, expect, layer } from "@effect/vitest"
import { ArgoApplications, publish, type RolloutCommand, runRollout } from "@ppi/bot"
import { generateSigningKey, withSigningKeys } from "@ppi/bot/testing"
import { ARGOCD_NAMESPACE, decodeRolloutState, ROLLOUT_FILE, type RolloutState } from "@ppi/config"
import { TenantFiles } from "@ppi/synth"
import { Duration, Effect, Layer } from "effect"
import { refresh, synced, waitForApps } from "./argocd/applications.ts"
import { argoCdLayerWith } from "./argocd/argo-cd.ts"
import { ControlPlane, controlPlaneLayer, NEVER_READY_IMAGE } from "./control-plane/control-plane.ts"
import { KubeApi } from "./control-plane/kube-api.ts"
import { applyClusterObjects, clusterObjects } from "./scenario/cluster-objects.ts"
import { makeProjectRepo } from "./scenario/deploy-repo.ts"

/**
 * A new API version rolls across the fleet in waves on real Argo CD: each wave Synced + Healthy
 * before the next starts; a version whose pods never become ready halts after its wave, the rest
 * stays on the old version, and a rollback returns the wave.
 */
const TENANTS = ["acme", "hobby"]
const repo = makeProjectRepo(TENANTS)
afterAll(() => repo.cleanup())
const bot = generateSigningKey()
const REPOSITORY = "ghcr.io/parametric-portal/api"

/** Three waves: the canary by name, the pro tier, everyone else; short soaks and health timeouts. */
const withWaves = (platform: string) =>
  platform.replace(
    /\n {2}rollout: \{\n[\s\S]*?\n {2}\},\n/,
    `
  rollout: {
    waves: [
      { name: "canary", select: { names: ["hobby"] }, soakSeconds: 5, health: { timeoutSeconds: 60 } },
      { name: "pro", select: { tiers: ["pro"] }, soakSeconds: 2, health: { timeoutSeconds: 60 } },
      { name: "everyone", health: { timeoutSeconds: 60 } },
    ],
  },
`,
  )
/** main's platform file with the API at `tag` (no digest: another version's digest is not this one's). */
const release = (tag: string) =>
  repo.commit(`Release API ${tag} (#${tag.replaceAll(/\D/g, "").slice(0, 3)})`, {
    "synth/platform.ts": repo
      .read("synth/platform.ts")
      .replace(
        /repository: "ghcr\.io\/parametric-portal\/api",\n\s+tag: "[^"]+",(\n\s+digest: "[^"]+",)?/,
        `repository: "${REPOSITORY}",\n      tag: "${tag}",`,
      ),
  })

repo.commit("Signed deploy commits, rollout waves, a free tenant for the last wave", {
  "synth/platform.ts": withWaves(withSigningKeys(repo.read("synth/platform.ts"), [bot])),
  "tenants/zeta.ts": `import type { TenantInput } from "@ppi/config"\n\nexport default { name: "zeta", tier: "free" } satisfies TenantInput\n`,
})
const FLEET = [...TENANTS, "zeta"]
const timings: Record<string, number> = {}

const options = {
  remote: repo.remote,
  sourceBranch: "main",
  deployBranch: "deploy",
  synthVersion: "e2e",
  signingKey: bot.privateKey,
}

const webhook = Effect.gen(function* () {
  const kube = yield* KubeApi
  for (const app of yield* kube.list("argoproj.io/v1alpha1", "Application", ARGOCD_NAMESPACE))
    yield* refresh(app.metadata.name)
})

const publishMain = Effect.gen(function* () {
  const result = yield* publish(options).pipe(Effect.provide(TenantFiles.layer))
  yield* webhook
  return result
})

/** Argo CD's view through the bot's own reader: the Kubernetes API of the e2e, over mutual TLS. */
const argoReader = Layer.unwrap(
  Effect.gen(function* () {
    const { dir, server } = yield* ControlPlane
    const pki = join(dir, "pki")
    return ArgoApplications.kubernetes({
      server,
      ca: join(pki, "ca.crt"),
      cert: join(pki, "admin.crt"),
      key: join(pki, "admin.key"),
    })
  }),
)

const rollout = (command: RolloutCommand) =>
  Effect.gen(function* () {
    const outcome = yield* runRollout(command, options).pipe(Effect.provide(Layer.merge(TenantFiles.layer, argoReader)))
    if (outcome.result._tag === "Published") yield* webhook
    return outcome
  })

const deployedState = (): RolloutState => decodeRolloutState(JSON.parse(repo.deployTree().get(ROLLOUT_FILE) ?? ""))

/** The image the tenant's API Deployment runs in the cluster now. */
const liveImage = (tenant: string) =>
  KubeApi.use((kube) => kube.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: tenant, name: "api" })).pipe(
    Effect.map(
      (deployment) =>
        (deployment?.spec as { template: { spec: { containers: ReadonlyArray<{ image: string }> } } } | undefined)
          ?.template.spec.containers[0]?.image,
    ),
  )
/** The version each tenant's Deployment has on the deploy branch now. */
const deployedTags = () =>
  Object.fromEntries(
    FLEET.map((tenant) => [
      tenant,
      /image: "?[^"\s@]+:([^"@\s]+)/.exec(repo.deployTree().get(`${tenant}/app/manifest.yaml`) ?? "")?.[1],
    ]),
  )
const liveTags = Effect.forEach(FLEET, (tenant) =>
  liveImage(tenant).pipe(Effect.map((image) => [tenant, image?.split("@")[0]?.split(":").at(-1)] as const)),
).pipe(Effect.map((entries) => Object.fromEntries(entries)))

/** `advance` every 2 s until the rollout leaves `rolling`, recording the seconds each wave took. */
const advanceUntilSettled = (label: string, deadline = Duration.minutes(8)) =>
  Effect.gen(function* () {
    const end = Date.now() + Duration.toMillis(deadline)
    let waveStarted = performance.now()
    let wave = deployedState().wave
    const seen: Array<Record<string, string | undefined>> = []
    for (;;) {
      const { result } = yield* rollout("advance")
      if (result.rollout.wave !== wave || result.rollout.status !== "rolling") {
        timings[`${label} wave ${wave + 1} (s)`] = Math.round((performance.now() - waveStarted) / 100) / 10
        waveStarted = performance.now()
        wave = result.rollout.wave
        seen.push(deployedTags())
      }
      if (result.rollout.status !== "rolling") return { state: result.rollout, seen }
      if (Date.now() > end) throw new Error(`${label}: still rolling wave ${wave + 1} at the deadline`)
      yield* Effect.sleep("2 seconds")
    }
  })

const appsOf = (tenants: ReadonlyArray<string>) => ["tenants", ...tenants.flatMap((t) => [`${t}-platform`, t])]
const stack = Layer.provideMerge(argoCdLayerWith({ trustedKeys: [bot] }), controlPlaneLayer)

layer(stack, { excludeTestServices: true, timeout: "40 minutes" })("rollout waves on real Argo CD", (it) => {
  it.effect("bootstraps the fleet on the platform's version", () =>
    Effect.gen(function* () {
      const published = yield* publishMain
      expect(published._tag).toBe("Published")
      const cluster = yield* clusterObjects("selfhosted", join(repo.dev, "synth/platform.ts"))
      expect(yield* applyClusterObjects(cluster.objects)).toEqual([])
      yield* waitForApps(appsOf(FLEET), "Synced and Healthy", synced(repo.deployHead()), "10 minutes")
      expect(deployedState()).toMatchObject({ status: "done", to: { tag: "1.4.2" } })
    }),
  )

  it.effect("rolls 1.5.0 through the waves one after another, each Synced + Healthy before the next", () =>
    Effect.gen(function* () {
      release("1.5.0")
      const started = yield* publishMain
      expect(started.rollout).toMatchObject({ status: "rolling", wave: 0, to: { tag: "1.5.0" } })
      // Publish moved the canary only.
      yield* waitForApps(["hobby"], "canary synced", synced(repo.deployHead()), "3 minutes")
      expect(yield* liveTags).toEqual({ hobby: "1.5.0", acme: "1.4.2", zeta: "1.4.2" })
      const { state, seen } = yield* advanceUntilSettled("1.5.0")
      expect(state.status).toBe("done")
      // Each advance deployed exactly the next wave: the waves not reached stayed on the old version.
      expect(seen).toEqual([
        { hobby: "1.5.0", acme: "1.5.0", zeta: "1.4.2" },
        { hobby: "1.5.0", acme: "1.5.0", zeta: "1.5.0" },
        { hobby: "1.5.0", acme: "1.5.0", zeta: "1.5.0" },
      ])
      yield* waitForApps(appsOf(FLEET), "Synced and Healthy", synced(repo.deployHead()), "3 minutes")
      expect(yield* liveTags).toEqual({ hobby: "1.5.0", acme: "1.5.0", zeta: "1.5.0" })
    }),
  )

  it.effect(
    "halts a version that never becomes healthy after its wave; the rest stays; rollback returns the wave",
    () =>
      Effect.gen(function* () {
        const bad = NEVER_READY_IMAGE.split(":").at(-1) ?? ""
        release(bad)
        const started = performance.now()
        yield* publishMain
        const { state } = yield* advanceUntilSettled(bad, Duration.minutes(4))
        timings[`${bad} halted after (s)`] = Math.round((performance.now() - started) / 100) / 10
        expect(state).toMatchObject({ status: "halted", wave: 0 })
        expect(state.failed?.map((failure) => failure.tenant)).toEqual(["hobby"])
        expect(state.failed?.[0]?.reason).toContain("not healthy within 60s")
        expect(yield* liveTags).toEqual({ hobby: bad, acme: "1.5.0", zeta: "1.5.0" })
        // Advancing a halted rollout changes nothing.
        expect((yield* rollout("advance")).result._tag).toBe("Unchanged")
        const back = performance.now()
        const { result } = yield* rollout("rollback")
        expect(result.rollout.status).toBe("rolled-back")
        yield* waitForApps(["hobby"], "rolled back, Synced and Healthy", synced(repo.deployHead()), "3 minutes")
        timings["rollback → canary Healthy on 1.5.0 (s)"] = Math.round((performance.now() - back) / 100) / 10
        expect(yield* liveTags).toEqual({ hobby: "1.5.0", acme: "1.5.0", zeta: "1.5.0" })
      }),
  )

  it.effect("reports the time per wave", () =>
    Effect.sync(() => {
      process.stdout.write(`\ne2e rollout: ${JSON.stringify(timings, null, 2)}\n`)
      expect(Object.keys(timings).filter((key) => key.startsWith("1.5.0 wave"))).toHaveLength(3)
    }),
  )
})
