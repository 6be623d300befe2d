import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { componentNameOf, isService, isWorkload, type ManifestContainer, type ManifestObject, type ManifestPodSpec, type WorkloadObject } from '../common/manifest';
import { ComponentName, WorkloadKind } from '../common/names';

/** The annotation that tells the Pulumi Kubernetes provider not to wait for readiness. */
export const SKIP_AWAIT = 'pulumi.com/skipAwait';

/** `apiVersion kind namespace/name` (cluster-scoped: `apiVersion kind name`): unique per object. */
export function objectId(o: Pick<ManifestObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const ns = o.metadata.namespace;
  return `${o.apiVersion} ${o.kind} ${ns === undefined ? '' : `${ns}/`}${o.metadata.name}`;
}

/** The Pulumi resource name of an object: deterministic, so re-running the program updates in place. */
export function resourceName(o: ManifestObject): string {
  return o.metadata.namespace === undefined ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`;
}

/**
 * Where an object sits in the apply order:
 * - `namespace`: first; everything else depends on the namespaces.
 * - `prerequisite`: what a pod needs before it can start (ServiceAccounts, RBAC, ConfigMaps, Secrets,
 *   PVCs, PodDisruptionBudgets); workloads depend on these.
 * - `service`: after the namespaces, in parallel with the workloads. The provider waits until a
 *   ClusterIP Service has endpoints, which only the workload's pods give it: a workload depending on
 *   its Service would wait for a Service that waits for the workload, until the 10-minute timeout.
 * - `workload`: last (the kinds of {@link isWorkload}).
 */
export type Tier = 'namespace' | 'prerequisite' | 'service' | 'workload';

/** The apply tier of an object. */
export function tierOf(o: ManifestObject): Tier {
  if (o.kind === 'Namespace') {
    return 'namespace';
  }
  if (isService(o)) {
    return 'service';
  }
  return isWorkload(o) ? 'workload' : 'prerequisite';
}

function podLabelsOf(o: WorkloadObject): Readonly<Record<string, string>> {
  return o.spec.template.metadata?.labels ?? {};
}

/** Every container (init containers included) of a pod spec. */
export function containersOf(podSpec: ManifestPodSpec): readonly ManifestContainer[] {
  return [...(podSpec.initContainers ?? []), ...podSpec.containers];
}

/** The Secrets a pod cannot start without (optional references excluded). */
export function requiredSecrets(podSpec: ManifestPodSpec): string[] {
  const names = new Set<string>();
  for (const volume of podSpec.volumes ?? []) {
    if (volume.secret?.secretName !== undefined && volume.secret.optional !== true) {
      names.add(volume.secret.secretName);
    }
    for (const source of volume.projected?.sources ?? []) {
      if (source.secret?.name !== undefined && source.secret.optional !== true) {
        names.add(source.secret.name);
      }
    }
  }
  for (const container of containersOf(podSpec)) {
    for (const env of container.env ?? []) {
      const ref = env.valueFrom?.secretKeyRef;
      if (ref?.name !== undefined && ref.optional !== true) {
        names.add(ref.name);
      }
    }
    for (const from of container.envFrom ?? []) {
      if (from.secretRef?.name !== undefined && from.secretRef.optional !== true) {
        names.add(from.secretRef.name);
      }
    }
  }
  return [...names].sort();
}

/** What the program knows about the cluster it deploys to, for {@link skipAwaitReasons}. */
export interface AwaitContext {
  /** `namespace/name` of every Secret the program itself creates. */
  readonly secretsCreated: ReadonlySet<string>;
  /** Images no registry serves and this run does not build (they must already be on the node). */
  readonly unavailableImages: ReadonlySet<string>;
}

/**
 * The objects whose readiness `pulumi up` must not wait for, each with the reason. Waiting on them
 * would hang the update until the provider's 10-minute timeout and then fail it, although the
 * objects are exactly as intended:
 * - the DCGM exporter DaemonSet: it runs on GPU nodes only, and a GPU node without the NVIDIA
 *   driver/toolkit (or minikube, which has none) never gets a ready exporter;
 * - the FL clients: a training run is finite, clients exit when the federation completes and are
 *   restarted, so "all replicas ready" is a transient state, not a rollout result;
 * - a workload that reads a Secret the operator creates by hand (e.g. `alertmanager-receivers`):
 *   its pods wait for the Secret, by design;
 * - a workload running an image this run neither builds nor can pull (`buildImages: false` with the
 *   repository's own images): it starts once the image is loaded onto the node;
 * - a Service selecting only such workloads' pods (or none of the stack's pods): the provider waits
 *   for its endpoints.
 * Everything else (Prometheus, Alertmanager, Grafana, Loki, VictoriaMetrics, the node agents, the
 * FL server when its image is built) is awaited, so a broken rollout fails `pulumi up`.
 */
export function skipAwaitReasons(objects: readonly ManifestObject[], context: AwaitContext): Map<string, string> {
  const reasons = new Map<string, string>();
  const workloads = objects.filter(isWorkload);
  for (const o of workloads) {
    const name = componentNameOf(o);
    const pod = o.spec.template.spec;
    const missingSecrets = requiredSecrets(pod).filter((s) => !context.secretsCreated.has(`${o.metadata.namespace}/${s}`));
    const unavailable = containersOf(pod).flatMap((c) => (c.image !== undefined && context.unavailableImages.has(c.image) ? [c.image] : []));
    if (o.kind === WorkloadKind.DAEMON_SET && name === ComponentName.DCGM_EXPORTER) {
      reasons.set(objectId(o), 'GPU nodes only; not ready where the NVIDIA driver is missing');
    } else if (name === ComponentName.FL_CLIENT) {
      reasons.set(objectId(o), 'FL clients exit when the training run completes: readiness is transient');
    } else if (missingSecrets.length > 0) {
      reasons.set(objectId(o), `waits for Secret ${missingSecrets.join(', ')}, created by the operator`);
    } else if (unavailable.length > 0) {
      reasons.set(objectId(o), `image ${unavailable.join(', ')} is not built by this run (buildImages: false): load it onto the node`);
    }
  }
  for (const service of objects.filter(isService)) {
    const selector = service.spec?.selector;
    if (selector === undefined || Object.keys(selector).length === 0) {
      continue;
    }
    const backing = workloads.filter(
      (w) => w.metadata.namespace === service.metadata.namespace && Object.entries(selector).every(([k, v]) => podLabelsOf(w)[k] === v),
    );
    if (backing.length === 0) {
      reasons.set(objectId(service), 'selects no pods of this stack');
    } else if (backing.every((w) => reasons.has(objectId(w)))) {
      reasons.set(objectId(service), `its pods (${backing.map((w) => `${w.kind} ${w.metadata.name}`).join(', ')}) are not awaited`);
    }
  }
  return reasons;
}

/** A copy of `o` annotated so the provider does not await it. */
export function withSkipAwait(o: ManifestObject): ManifestObject {
  return withAnnotation(o, SKIP_AWAIT);
}

/**
 * The provider's per-object switch to force server-side apply conflicts (fields another manager, e.g.
 * `kubectl apply`, owns): @pulumi/kubernetes 4.25 has no provider-wide option for it.
 */
export const PATCH_FORCE = 'pulumi.com/patchForce';

/** A copy of `o` annotated so the provider takes over fields other field managers own. */
export function withPatchForce(o: ManifestObject): ManifestObject {
  return withAnnotation(o, PATCH_FORCE);
}

function withAnnotation(o: ManifestObject, key: string): ManifestObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [key]: 'true' } } };
}

type K8sResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * The typed @pulumi/kubernetes class of each kind the stack synthesizes: each object becomes a
 * resource of its own type token (`kubernetes:apps/v1:Deployment`, …) with the provider's await
 * logic for that kind. A kind missing here fails the program (and the parity test) loudly.
 */
const RESOURCE_CLASSES: Readonly<Record<string, K8sResourceClass>> = {
  'v1/Namespace': k8s.core.v1.Namespace,
  'v1/ServiceAccount': k8s.core.v1.ServiceAccount,
  'v1/ConfigMap': k8s.core.v1.ConfigMap,
  'v1/Secret': k8s.core.v1.Secret,
  'v1/Service': k8s.core.v1.Service,
  'v1/PersistentVolumeClaim': k8s.core.v1.PersistentVolumeClaim,
  'apps/v1/Deployment': k8s.apps.v1.Deployment,
  'apps/v1/StatefulSet': k8s.apps.v1.StatefulSet,
  'apps/v1/DaemonSet': k8s.apps.v1.DaemonSet,
  'batch/v1/Job': k8s.batch.v1.Job,
  'batch/v1/CronJob': k8s.batch.v1.CronJob,
  'policy/v1/PodDisruptionBudget': k8s.policy.v1.PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': k8s.rbac.v1.ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': k8s.rbac.v1.ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': k8s.rbac.v1.Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': k8s.rbac.v1.RoleBinding,
  'networking.k8s.io/v1/NetworkPolicy': k8s.networking.v1.NetworkPolicy,
  'networking.k8s.io/v1/Ingress': k8s.networking.v1.Ingress,
  'scheduling.k8s.io/v1/PriorityClass': k8s.scheduling.v1.PriorityClass,
  'node.k8s.io/v1/RuntimeClass': k8s.node.v1.RuntimeClass,
  'storage.k8s.io/v1/StorageClass': k8s.storage.v1.StorageClass,
  // Operator mode: resources of the cluster's prometheus-operator CRDs (installed with it).
  'monitoring.coreos.com/v1/PodMonitor': k8s.apiextensions.CustomResource,
  'monitoring.coreos.com/v1/PrometheusRule': k8s.apiextensions.CustomResource,
};

/** The resource class for an object's apiVersion and kind. */
export function resourceClassOf(o: Pick<ManifestObject, 'apiVersion' | 'kind' | 'metadata'>): K8sResourceClass {
  const cls = RESOURCE_CLASSES[`${o.apiVersion}/${o.kind}`];
  if (cls === undefined) {
    throw new Error(`no @pulumi/kubernetes resource class mapped for ${objectId(o)}: add ${o.apiVersion}/${o.kind} to src/pulumi/objects.ts`);
  }
  return cls;
}
