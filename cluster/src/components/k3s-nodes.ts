import * as command from "@pulumi/command"
import * as pulumi from "@pulumi/pulumi"
import { logical, type Opts } from "./common.ts"

export interface K3sHost {
  readonly name: string
  readonly address: string
  readonly role: "server" | "agent"
}

/** Optional self-hosted k3s nodes, installed over SSH at a pinned version; servers first, agents join with the server's token. */
export class K3sNodes extends pulumi.ComponentResource {
  constructor(
    name: string,
    args: {
      readonly stack: string
      readonly version: string
      readonly sshUser: string
      readonly privateKey: pulumi.Output<string>
      readonly hosts: ReadonlyArray<K3sHost>
    },
    opts?: Opts,
  ) {
    super("ppi:nodes:K3sNodes", name, {}, opts)
    const connection = (host: K3sHost) => ({ host: host.address, user: args.sshUser, privateKey: args.privateKey })
    const [first, ...rest] = args.hosts.filter((host) => host.role === "server")
    // The stack settings guarantee a server host (see config.ts); without one there is nothing to join.
    if (first === undefined) return
    const server = new command.remote.Command(
      logical(args.stack, "k3s", first.name),
      {
        connection: connection(first),
        create: `curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=${args.version} sh -s - server --cluster-init --disable traefik --secrets-encryption`,
      },
      { parent: this },
    )
    const token = new command.remote.Command(
      logical(args.stack, "k3s-token"),
      { connection: connection(first), create: "sudo cat /var/lib/rancher/k3s/server/node-token" },
      { parent: this, dependsOn: [server], additionalSecretOutputs: ["stdout"] },
    )
    for (const host of [...rest, ...args.hosts.filter((h) => h.role === "agent")])
      new command.remote.Command(
        logical(args.stack, "k3s", host.name),
        {
          connection: connection(host),
          create: pulumi.interpolate`curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=${args.version} K3S_URL=https://${first.address}:6443 K3S_TOKEN=${token.stdout} sh -s - ${host.role}`,
        },
        { parent: this, dependsOn: [token] },
      )
    this.registerOutputs({})
  }
}
