import * as pulumi from "@pulumi/pulumi"

export interface MockedResource {
  readonly type: string
  readonly name: string
  readonly inputs: Record<string, any>
  /** The provider reference (`urn::id`) when the resource names one explicitly. */
  readonly provider?: string
}

/**
 * Runs the real program against Pulumi's mocks (no CLI, no cluster): records every resource the
 * program registers, with its inputs as the engine would receive them.
 */
export const runStack = async (config: Record<string, string>, secretKeys: ReadonlyArray<string> = []) => {
  const resources: Array<MockedResource> = []
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([key, value]) => [`ppi:${key}`, value])),
    secretKeys.map((key) => `ppi:${key}`),
  )
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          ...(args.provider ? { provider: args.provider } : {}),
        })
        const state =
          args.type === "random:index/randomPassword:RandomPassword"
            ? { ...args.inputs, result: `generated-${args.name}` }
            : args.type === "random:index/randomBytes:RandomBytes"
              ? { ...args.inputs, hex: `0123456789abcdef${"0".repeat(48)}` }
              : args.inputs
        return { id: `${args.name}-id`, state }
      },
      call: (args) => ({ outputs: args.inputs }),
    },
    "ppi-cluster",
    "prod",
  )
  const program = await import("../index.ts")
  // Let every pending registration reach the mocks.
  await new Promise((resolve) => setTimeout(resolve, 300))
  const outputs = {
    rootApplication: await new Promise<string>((resolve) => pulumi.output(program.rootApplication).apply(resolve)),
    mode: program.mode,
  }
  return {
    resources,
    outputs,
    program,
    ofType: (type: string) => resources.filter((resource) => resource.type === type),
    named: (name: string) => resources.find((resource) => resource.name === name),
  }
}

export const baseConfig = {
  acmeEmail: "ops@parametric.dev",
  externalDnsProvider: "cloudflare",
  dnsCredentials: "cf-token-value",
}
