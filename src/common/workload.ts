import { createHash } from 'node:crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Resources, Storage } from '../config/schema';
import { splitImage, parseBytes, parseCpuMillis } from '../config/values';
import { k8s, kplus } from '../k8s';
import { defaultImage, imageString, type ImageKey, type ImageRef } from '../versions';
import { componentLabels, selectorLabels } from './labels';
import type { ComponentName, ComponentRole } from './names';

/** The image a component runs: the config's override, else the pinned default of versions.json. */
export function resolveImage(key: ImageKey, override: string | undefined): ImageRef {
  return override === undefined ? defaultImage(key) : splitImage(override);
}

/** A label-safe version string from an image tag (digests are shortened). */
export function versionLabel(image: ImageRef): string {
  const raw = image.tag.startsWith('sha256:') ? image.tag.slice(7, 19) : image.tag;
  return raw.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63);
}

/** cdk8s-plus container resources from config quantities. */
export function containerResources(resources: Resources): kplus.ContainerResources {
  return {
    cpu: {
      request: kplus.Cpu.millis(parseCpuMillis(resources.requests.cpu)!),
      limit: kplus.Cpu.millis(parseCpuMillis(resources.limits.cpu)!),
    },
    memory: {
      request: Size.mebibytes(parseBytes(resources.requests.memory)! / 2 ** 20),
      limit: Size.mebibytes(parseBytes(resources.limits.memory)! / 2 ** 20),
    },
  };
}

/** Non-root, read-only root filesystem, no privilege escalation, every capability dropped. */
export function restrictedContainerSecurity(user: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group: user,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** Pod-level security context for a non-root pod whose volumes belong to `user`. */
export function restrictedPodSecurity(user: number): kplus.PodSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group: user,
    fsGroup: user,
    fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
  };
}

/** A short, stable digest of a component's config files, put on its pod template so a change rolls it. */
export function configChecksum(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part).update('\0');
  }
  return hash.digest('hex');
}

/**
 * What every component construct is given about where and what it runs, resolved once by its
 * component's `build` (the construct adds its name and role to make its {@link ComponentIdentity}).
 */
export interface ComponentProps {
  /** The namespace of its objects. */
  readonly namespace: string;
  /** The image its container runs (the config's override, else the pin of versions.json). */
  readonly image: ImageRef;
}

/** The root user: only for node agents that must read root-owned host files (with no capability added). */
export const ROOT_USER = 0;

/** What every component construct knows about itself. */
export interface ComponentIdentity {
  readonly name: ComponentName;
  readonly role: ComponentRole;
  readonly namespace: string;
  readonly image: ImageRef;
}

/** Metadata for a namespaced object of a component. */
export function objectMeta(id: ComponentIdentity, name: string = id.name): { name: string; namespace: string; labels: Record<string, string> } {
  return { name, namespace: id.namespace, labels: componentLabels(id.name, id.role, versionLabel(id.image)) };
}

/** Pod template metadata: the recommended labels plus the given annotations. */
export function podMeta(id: ComponentIdentity, annotations: Record<string, string> = {}): { labels: Record<string, string>; annotations: Record<string, string> } {
  return { labels: componentLabels(id.name, id.role, versionLabel(id.image)), annotations };
}

/** Selects the component's pods by its stable selector labels instead of cdk8s-plus's generated one. */
export function selectPods(workload: kplus.Workload, id: ComponentIdentity): void {
  workload.select(kplus.LabelSelector.of({ labels: selectorLabels(id.name) }));
}

/** The container image string with the pull policy every workload uses. */
export function imageOf(id: ComponentIdentity): { image: string; imagePullPolicy: kplus.ImagePullPolicy } {
  return { image: imageString(id.image), imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT };
}

/** Options of {@link httpProbe}. */
export interface HttpProbeOptions {
  /** The path the kubelet requests. */
  readonly path: string;
  /** The container port it requests it on. */
  readonly port: number;
  /** Seconds between two probes. @default 10 */
  readonly periodSeconds?: number;
  /** Consecutive failures after which the probe fails. @default 3 */
  readonly failureThreshold?: number;
  /** HTTPS: the kubelet connects with TLS (it does not verify the certificate). @default false */
  readonly https?: boolean;
}

/** The time the kubelet waits for an answer to a probe. */
const PROBE_TIMEOUT_SECONDS = 5;

/** An HTTP GET probe (readiness, liveness or startup), from the first period on, with a 5 s timeout. */
export function httpProbe(options: HttpProbeOptions): kplus.Probe {
  return kplus.Probe.fromHttpGet(options.path, {
    port: options.port,
    periodSeconds: Duration.seconds(options.periodSeconds ?? 10),
    timeoutSeconds: Duration.seconds(PROBE_TIMEOUT_SECONDS),
    failureThreshold: options.failureThreshold ?? 3,
    initialDelaySeconds: Duration.seconds(0),
    ...(options.https ?? false ? { scheme: kplus.ConnectionScheme.HTTPS } : {}),
  });
}

/** Adds a persistent volume claim template to a StatefulSet (cdk8s-plus has no API for it). */
export function addVolumeClaimTemplate(sts: kplus.StatefulSet, name: string, storage: Storage, labels: Record<string, string>): void {
  ApiObject.of(sts).addJsonPatch(
    JsonPatch.add('/spec/volumeClaimTemplates', [
      {
        metadata: { name, labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(storage.storageClass === undefined ? {} : { storageClassName: storage.storageClass }),
          resources: { requests: { storage: k8s.Quantity.fromString(storage.size) } },
        },
      },
    ]),
  );
  ApiObject.of(sts).addJsonPatch(
    JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' }),
  );
}

/** A volume backed by the StatefulSet's claim template of the same name. */
export function claimVolume(scope: Construct, name: string): kplus.Volume {
  // A PVC-backed volume whose claim is created from the StatefulSet's template (same name).
  return kplus.Volume.fromPersistentVolumeClaim(scope, `${name}-claim`, kplus.PersistentVolumeClaim.fromClaimName(scope, `${name}-ref`, name), { name });
}

/** Options of {@link scratchVolume}. */
export interface ScratchVolumeOptions {
  /** Its size limit, in MiB. @default 64 */
  readonly sizeMebibytes?: number;
}

/** An emptyDir scratch volume with a size limit. */
export function scratchVolume(scope: Construct, name: string, options: ScratchVolumeOptions = {}): kplus.Volume {
  return kplus.Volume.fromEmptyDir(scope, `${name}-scratch`, name, { sizeLimit: Size.mebibytes(options.sizeMebibytes ?? 64) });
}

/** A named port of a component: its container port and, where a Service exposes it, the Service port (the same number). */
export interface NamedPort {
  readonly name: string;
  readonly port: number;
}

/** The container ports of a list of named ports, so that a container and its Service list each port once. */
export function containerPorts(ports: readonly NamedPort[]): kplus.ContainerPort[] {
  return ports.map((p) => ({ name: p.name, number: p.port }));
}

/** Options of {@link componentService}. */
export interface ComponentServiceOptions {
  /** A headless Service (`<name>-headless`) for StatefulSet pod DNS. @default false */
  readonly headless?: boolean;
}

/** The ClusterIP (or headless) Service of a component, selecting its pods by the selector labels. */
export function componentService(scope: Construct, id: string, me: ComponentIdentity, ports: readonly NamedPort[], options: ComponentServiceOptions = {}): kplus.Service {
  const headless = options.headless ?? false;
  const service = new kplus.Service(scope, id, {
    metadata: objectMeta(me, headless ? `${me.name}-headless` : me.name),
    ...(headless ? { clusterIP: 'None' } : {}),
    ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
  });
  for (const [key, value] of Object.entries(selectorLabels(me.name))) {
    service.selectLabel(key, value);
  }
  return service;
}

/** The cdk8s Size of a storage quantity. */
export function storageSize(storage: Storage): Size {
  return Size.mebibytes(parseBytes(storage.size)! / 2 ** 20);
}

/** Pod-level settings shared by every workload helper below. */
export interface PodSpec {
  /** Pod template annotations (checksums, scrape opt-in). */
  readonly annotations: Record<string, string>;
  readonly serviceAccount: kplus.IServiceAccount;
  /** Whether the pod mounts its service account token (only for pods that call the API). @default false */
  readonly apiAccess?: boolean;
  /** The non-root user the pod runs as. */
  readonly user: number;
  /** @default 30 */
  readonly terminationGraceSeconds?: number;
}

/** Options of {@link statefulWorkload}. */
export interface StatefulWorkloadSpec extends PodSpec {
  readonly replicas: number;
  readonly storage: Storage;
  /** Ports of the headless Service that gives each pod a stable DNS name. */
  readonly ports: readonly NamedPort[];
}

/**
 * A StatefulSet with its headless Service and a `data` claim template (mount it with
 * `claimVolume(scope, 'data')`); PVCs are retained when the StatefulSet is deleted or scaled down.
 */
export function statefulWorkload(scope: Construct, me: ComponentIdentity, spec: StatefulWorkloadSpec): kplus.StatefulSet {
  const sts = new kplus.StatefulSet(scope, 'sts', {
    metadata: objectMeta(me),
    podMetadata: podMeta(me, spec.annotations),
    select: false,
    replicas: spec.replicas,
    serviceAccount: spec.serviceAccount,
    automountServiceAccountToken: spec.apiAccess ?? false,
    securityContext: restrictedPodSecurity(spec.user),
    podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
    terminationGracePeriod: Duration.seconds(spec.terminationGraceSeconds ?? 30),
    service: componentService(scope, 'headless', me, spec.ports, { headless: true }),
  });
  selectPods(sts, me);
  addVolumeClaimTemplate(sts, 'data', spec.storage, selectorLabels(me.name));
  disruptionBudget(scope, me, spec.replicas);
  spreadReplicas(sts, me, spec.replicas);
  return sts;
}

/** The failure domains replicas are spread over, most local first. */
export const SPREAD_TOPOLOGY_KEYS = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'] as const;

/**
 * With more than one replica, topology spread constraints that place the replicas on different
 * nodes and zones where the cluster has them (`ScheduleAnyway`: a soft preference, so a one-node
 * cluster still schedules them all). HA is only HA when one node's loss takes one replica.
 */
export function spreadReplicas(workload: kplus.Workload, me: ComponentIdentity, replicas: number): void {
  if (replicas > 1) {
    ApiObject.of(workload).addJsonPatch(
      JsonPatch.add(
        '/spec/template/spec/topologySpreadConstraints',
        SPREAD_TOPOLOGY_KEYS.map((topologyKey) => ({
          topologyKey,
          maxSkew: 1,
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: selectorLabels(me.name) },
        })),
      ),
    );
  }
}

/** With more than one replica, a PodDisruptionBudget that lets voluntary disruptions take one pod at a time. */
export function disruptionBudget(scope: Construct, me: ComponentIdentity, replicas: number): void {
  if (replicas > 1) {
    new k8s.KubePodDisruptionBudget(scope, 'pdb', {
      metadata: objectMeta(me),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(me.name) } },
    });
  }
}

/** Options of {@link deploymentWorkload}. */
export interface DeploymentWorkloadSpec extends PodSpec {
  readonly replicas: number;
  /** Recreate instead of rolling: for pods that hold a ReadWriteOnce volume. @default false */
  readonly recreate?: boolean;
}

/** A Deployment selecting its pods by the component's selector labels. */
export function deploymentWorkload(scope: Construct, me: ComponentIdentity, spec: DeploymentWorkloadSpec): kplus.Deployment {
  const deployment = new kplus.Deployment(scope, 'deployment', {
    metadata: objectMeta(me),
    podMetadata: podMeta(me, spec.annotations),
    select: false,
    replicas: spec.replicas,
    serviceAccount: spec.serviceAccount,
    automountServiceAccountToken: spec.apiAccess ?? false,
    securityContext: restrictedPodSecurity(spec.user),
    terminationGracePeriod: Duration.seconds(spec.terminationGraceSeconds ?? 30),
    ...(spec.recreate ?? false ? { strategy: kplus.DeploymentStrategy.recreate() } : {}),
  });
  selectPods(deployment, me);
  spreadReplicas(deployment, me, spec.replicas);
  return deployment;
}

/** The component's own ServiceAccount; its token is mounted only where the pod spec asks. */
export function componentServiceAccount(scope: Construct, me: ComponentIdentity): kplus.ServiceAccount {
  return new kplus.ServiceAccount(scope, 'sa', { metadata: objectMeta(me), automountToken: false });
}

/** Options of {@link daemonWorkload}: a node agent and exactly the host access it needs. */
export interface DaemonWorkloadSpec extends Omit<PodSpec, 'user'> {
  /** The user the agent runs as; 0 only for agents that must read root-owned host files. */
  readonly user: number;
  /** Share the node's network namespace. @default false */
  readonly hostNetwork?: boolean;
  /** Share the node's PID namespace. @default false */
  readonly hostPID?: boolean;
  /** Only nodes with these labels. @default - every node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations; node-wide agents tolerate every taint. @default - tolerate everything */
  readonly tolerations?: readonly { key: string; operator: 'Exists' | 'Equal'; value?: string; effect: string }[];
  /** A RuntimeClass (e.g. `nvidia`). @default - the cluster default */
  readonly runtimeClassName?: string;
}

/** A DaemonSet for a node agent, rolling one node at a time. */
export function daemonWorkload(scope: Construct, me: ComponentIdentity, spec: DaemonWorkloadSpec): kplus.DaemonSet {
  const root = spec.user === ROOT_USER;
  const ds = new kplus.DaemonSet(scope, 'daemonset', {
    metadata: objectMeta(me),
    podMetadata: podMeta(me, spec.annotations),
    select: false,
    serviceAccount: spec.serviceAccount,
    automountServiceAccountToken: spec.apiAccess ?? false,
    hostNetwork: spec.hostNetwork ?? false,
    securityContext: root
      ? { ensureNonRoot: false, user: ROOT_USER, group: ROOT_USER }
      : { ensureNonRoot: true, user: spec.user, group: spec.user },
    terminationGracePeriod: Duration.seconds(spec.terminationGraceSeconds ?? 30),
    ...(spec.hostNetwork ?? false ? { dns: { policy: kplus.DnsPolicy.CLUSTER_FIRST_WITH_HOST_NET } } : {}),
  });
  selectPods(ds, me);
  const obj = ApiObject.of(ds);
  obj.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  obj.addJsonPatch(
    JsonPatch.add('/spec/template/spec/tolerations', spec.tolerations ?? [{ operator: 'Exists' }]),
  );
  if (spec.hostPID ?? false) {
    obj.addJsonPatch(JsonPatch.add('/spec/template/spec/hostPid', true) /* L1 prop name: rendered as hostPID */);
  }
  if (spec.nodeSelector !== undefined) {
    obj.addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', spec.nodeSelector));
  }
  if (spec.runtimeClassName !== undefined) {
    obj.addJsonPatch(JsonPatch.add('/spec/template/spec/runtimeClassName', spec.runtimeClassName));
  }
  obj.addJsonPatch(JsonPatch.add('/spec/updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } }));
  return ds;
}

/** A container security context for an agent: read-only root, no escalation, only the named capabilities. */
export function agentContainerSecurity(user: number, capabilities: readonly kplus.Capability[] = []): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: user !== ROOT_USER,
    user,
    group: user,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: [kplus.Capability.ALL], ...(capabilities.length > 0 ? { add: [...capabilities] } : {}) },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** A read-only hostPath volume. */
export function hostVolume(scope: Construct, name: string, path: string, type: kplus.HostPathVolumeType = kplus.HostPathVolumeType.DIRECTORY): kplus.Volume {
  return kplus.Volume.fromHostPath(scope, `${name}-host`, name, { path, type });
}

/**
 * The component's ClusterRole (named `<component>-<namespace>`: cluster-scoped names must not clash
 * between installs) bound to its ServiceAccount. Callers add the rules, read-only.
 */
export function componentClusterRole(scope: Construct, me: ComponentIdentity, serviceAccount: kplus.IServiceAccount): kplus.ClusterRole {
  const metadata = { ...objectMeta(me), name: `${me.name}-${me.namespace}` };
  const role = new kplus.ClusterRole(scope, 'cluster-role', { metadata });
  new kplus.ClusterRoleBinding(scope, 'cluster-binding', { metadata, role }).addSubjects(serviceAccount);
  return role;
}
