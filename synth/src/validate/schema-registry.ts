import { Application, AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1"
import { ExternalSecret, SecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1"
import { Password } from "@kubernetes-models/external-secrets/generators.external-secrets.io/v1alpha1"
import { Deployment } from "kubernetes-models/apps/v1"
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2"
import { Job } from "kubernetes-models/batch/v1"
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1"
import { PodDisruptionBudget } from "kubernetes-models/policy/v1"
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1"
import { ConfigMap, LimitRange, Namespace, ResourceQuota, Secret, Service, ServiceAccount } from "kubernetes-models/v1"

/** A generated model class: `new Model(json).validate()` checks the object against its JSON schema. */
export interface ModelClass {
  readonly apiVersion: string
  readonly kind: string
  new (data: never): { validate(): void }
}

export const typeKey = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`

/**
 * Every kind the synth may emit, with the schema it is validated against: the upstream Kubernetes
 * models and the CRD models of Argo CD and External Secrets, all listed here.
 * A kind missing from the registry is a validation error, never a silent pass.
 */
export const CoreModels: ReadonlyArray<ModelClass> = [
  Application,
  AppProject,
  ConfigMap,
  Deployment,
  ExternalSecret,
  HorizontalPodAutoscaler,
  Ingress,
  Job,
  LimitRange,
  Namespace,
  NetworkPolicy,
  Password,
  PodDisruptionBudget,
  ResourceQuota,
  Role,
  RoleBinding,
  Secret,
  SecretStore,
  Service,
  ServiceAccount,
] as unknown as ReadonlyArray<ModelClass>

export const makeRegistry = (models: ReadonlyArray<ModelClass>): ReadonlyMap<string, ModelClass> =>
  new Map(models.map((model) => [typeKey(model.apiVersion, model.kind), model]))
