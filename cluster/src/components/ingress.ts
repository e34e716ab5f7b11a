import * as k8s from "@pulumi/kubernetes"
import * as pulumi from "@pulumi/pulumi"
import { Images } from "../versions.ts"
import { labels, logical, type Opts } from "./common.ts"
import { Controller, type ControllerArgs } from "./controller.ts"

export interface TraefikArgs {
  readonly stack: string
  /** Traefik's own namespace (`Platform.ingressNamespace`). */
  readonly namespace: string
  /** The IngressClass tenants' Ingresses name (`Platform.ingressClass`). */
  readonly ingressClass: string
}

/** The controller Deployment and its RBAC: Ingresses of one class, entry points 8000 and 8443. */
const controllerArgs = (args: TraefikArgs): ControllerArgs => ({
  stack: args.stack,
  namespace: args.namespace,
  name: "traefik",
  image: Images.traefik,
  args: [
    "--providers.kubernetesingress",
    `--providers.kubernetesingress.ingressclass=${args.ingressClass}`,
    // Writes the LoadBalancer's address into every Ingress status: without it Argo CD reports
    // each tenant's Ingress, and so its Application, Progressing forever.
    `--providers.kubernetesingress.ingressendpoint.publishedservice=${args.namespace}/traefik`,
    "--entrypoints.web.address=:8000",
    "--entrypoints.websecure.address=:8443",
    "--entrypoints.web.http.redirections.entrypoint.to=websecure",
  ],
  ports: [
    { name: "web", containerPort: 8000 },
    { name: "websecure", containerPort: 8443 },
  ],
  rules: [
    { apiGroups: [""], resources: ["services", "endpoints", "secrets", "nodes"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingressclasses"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["update"] },
  ],
})

/** Traefik as the cluster's ingress controller (typed resources, no chart), its IngressClass and LoadBalancer Service. */
export class Traefik extends pulumi.ComponentResource {
  constructor(name: string, args: TraefikArgs, opts?: Opts) {
    super("ppi:ingress:Traefik", name, {}, opts)
    const parent = { parent: this }
    const namespace = new k8s.core.v1.Namespace(
      logical(args.stack, "traefik-namespace"),
      { metadata: { name: args.namespace, labels: labels("traefik") } },
      parent,
    )
    new Controller(logical(args.stack, "traefik"), controllerArgs(args), { parent: this, dependsOn: [namespace] })
    new k8s.networking.v1.IngressClass(
      logical(args.stack, "ingress-class"),
      {
        metadata: { name: args.ingressClass, labels: labels("traefik") },
        spec: { controller: "traefik.io/ingress-controller" },
      },
      parent,
    )
    new k8s.core.v1.Service(
      logical(args.stack, "traefik-service"),
      {
        metadata: { name: "traefik", namespace: args.namespace, labels: labels("traefik") },
        spec: {
          type: "LoadBalancer",
          selector: { "app.kubernetes.io/name": "traefik" },
          ports: [
            { name: "web", port: 80, targetPort: "web" },
            { name: "websecure", port: 443, targetPort: "websecure" },
          ],
        },
      },
      { parent: this, dependsOn: [namespace] },
    )
    this.registerOutputs({})
  }
}
