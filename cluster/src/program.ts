/**
 * The Pulumi program as a function: decode the platform file and the stack settings through the
 * shared schemas (a bad value fails the deployment with a typed, readable error), then build the
 * platform. `index.ts` runs it for the CLI; the mocks tests call it once per configuration.
 */
import * as pulumi from "@pulumi/pulumi"
import { Effect } from "effect"
import { loadClusterConfig } from "./config.ts"
import { PLATFORM_PATH, readPlatformInput } from "./platform-file.ts"
import { platformStack } from "./platform-stack.ts"

export const program = async () => {
  const config = new pulumi.Config("ppi")
  const cluster = await Effect.runPromise(
    // `ppi:platformFile` points at another platform file (another repository layout, the e2e).
    Effect.flatMap(readPlatformInput(config.get("platformFile") ?? PLATFORM_PATH), (platform) =>
      loadClusterConfig({
        stack: pulumi.getStack(),
        platform,
        mode: config.get("mode"),
        settings: {
          acmeEmail: config.get("acmeEmail"),
          externalDnsProvider: config.get("externalDnsProvider"),
          ...(config.get("argoCdManifest") ? { argoCdManifest: config.get("argoCdManifest") } : {}),
          ...(config.get("metricsServer") !== undefined ? { metricsServer: config.getBoolean("metricsServer") } : {}),
          ...(config.getObject("k3s") ? { k3s: config.getObject("k3s") } : {}),
        },
      }),
    ).pipe(Effect.mapError((error) => new pulumi.RunError(error.message))),
  )
  return platformStack(cluster, {
    dnsCredentials: config.requireSecret("dnsCredentials"),
    ...(config.get("sshPrivateKey") ? { sshPrivateKey: config.requireSecret("sshPrivateKey") } : {}),
    ...(cluster.platform.mode === "cloud"
      ? {
          managedPostgresPassword: config.requireSecret("postgresAdminPassword"),
          managedRedisPassword: config.requireSecret("redisAdminPassword"),
        }
      : {}),
  })
}
