import * as pulumi from "@pulumi/pulumi"
import { program } from "../program.ts"

export interface MockedResource {
  readonly type: string
  readonly name: string
  readonly inputs: Record<string, any>
  /** The provider reference (`urn::id`) when the resource names one explicitly. */
  readonly provider?: string
  readonly urn: string
  /** The component it was declared in (`parent`), by URN. */
  readonly parent?: string
  /**
   * The URNs it waits for, as the SDK sends them to the engine: `dependsOn` and the resources its
   * inputs come from, components replaced by their children (a remote component stays itself).
   */
  readonly dependencies: ReadonlyArray<string>
}

/** The part of a registration request the mocks do not pass on to `newResource`. */
interface RegisterRequest {
  readonly getType: () => string
  readonly getName: () => string
  readonly getParent: () => string
  readonly getDependenciesList: () => Array<string>
}
interface Monitor {
  registerResource: (request: RegisterRequest, callback: unknown) => unknown
  newUrn: (parent: string, type: string, name: string) => string
}

/**
 * The runtime's own "every pending registration has reached the monitor" (what it awaits before
 * disconnecting at the end of a real run); internal, so absent from the typings.
 */
const registrationsSettled = (): Promise<void> =>
  (pulumi.runtime as unknown as { readonly waitForRPCs: () => Promise<void> }).waitForRPCs()

/** An output's value, once the mocks have resolved it. */
export const resolved = <T>(output: pulumi.Output<T>): Promise<T> => new Promise<T>((resolve) => output.apply(resolve))

/**
 * Runs the real program against Pulumi's mocks (no CLI, no cluster): records every resource the
 * program registers, with its inputs as the engine would receive them. The program is a function,
 * so one test file may run it for several configurations.
 */
const run = async (config: Record<string, string>, secretKeys: ReadonlyArray<string>) => {
  const resources: Array<MockedResource> = []
  let inFlight: RegisterRequest | undefined
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([key, value]) => [`ppi:${key}`, value])),
    secretKeys.map((key) => `ppi:${key}`),
  )
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const request = inFlight
        if (request === undefined || request.getType() !== args.type || request.getName() !== args.name)
          throw new Error(`${args.type} ${args.name} was registered outside registerResource`)
        const parent = request.getParent()
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          ...(args.provider ? { provider: args.provider } : {}),
          urn: monitor.newUrn(parent, args.type, args.name),
          ...(parent ? { parent } : {}),
          dependencies: request.getDependenciesList(),
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
  // The mock monitor calls `newResource` synchronously from `registerResource`, before its first
  // await: the request in flight is the one being recorded.
  const monitor = (pulumi.runtime as unknown as { readonly getMonitor: () => Monitor }).getMonitor()
  const register = monitor.registerResource.bind(monitor)
  monitor.registerResource = (request, callback) => {
    inFlight = request
    try {
      return register(request, callback)
    } finally {
      inFlight = undefined
    }
  }
  const exported = await program()
  await registrationsSettled()
  const outputs = { rootApplication: await resolved(pulumi.output(exported.rootApplication)), mode: exported.mode }
  return {
    resources,
    outputs,
    program: exported,
    ofType: (type: string) => resources.filter((resource) => resource.type === type),
    named: (name: string) => resources.find((resource) => resource.name === name),
  }
}

export type MockedStack = Awaited<ReturnType<typeof run>>

const runs = new Map<string, Promise<MockedStack>>()

/**
 * The program under mocks for this configuration, run once per process however many test files
 * ask (the suite shares workers); callers only read it. Runs never overlap: the mocks are global.
 */
export const runStack = (config: Record<string, string>, secretKeys: ReadonlyArray<string> = []) => {
  const key = JSON.stringify([config, secretKeys])
  const previous = [...runs.values()].at(-1)
  const existing = runs.get(key)
  if (existing !== undefined) return existing
  const next = (previous ?? Promise.resolve()).catch(() => undefined).then(() => run(config, secretKeys))
  runs.set(key, next)
  return next
}

export const baseConfig = {
  acmeEmail: "ops@parametric.dev",
  externalDnsProvider: "cloudflare",
  dnsCredentials: "cf-token-value",
}
