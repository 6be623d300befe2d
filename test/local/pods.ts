/**
 * The synthesized manifests read back as local pods and Services: what the API server would hold
 * once the workloads are scheduled on one node. Pure; the caller allocates ports.
 */
import { createHash } from 'node:crypto';
import { isService, isWorkload, type ManifestContainer, type ManifestObject, type WorkloadObject } from '../../src/common/manifest';
import { ScrapeAnnotations, WORKLOAD_KINDS, WorkloadKind } from '../../src/common/names';
import { PodPhase, type LocalContainer, type LocalPod, type LocalService, type PodController } from './cluster';

/** Picks the local port of one container port of one pod. */
export type PortAllocator = (pod: string, container: string, containerPort: number) => number;

/** Where the local pods run. */
export interface LocalPlacement {
  /** The node every pod is scheduled on (and its DaemonSets' one pod). */
  readonly nodeName: string;
  /** The address of every pod. @default '127.0.0.1' */
  readonly ip?: string;
  readonly portFor: PortAllocator;
}

/** A deterministic UUID-shaped uid for a local pod (Kubernetes uids are random UUIDs). */
export function localUid(namespace: string, name: string): string {
  const h = createHash('sha256').update(`${namespace}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function podNames(
  workload: WorkloadObject,
  nodeName: string,
): { name: string; labels: Record<string, string>; controller: PodController; hostname?: string; subdomain?: string }[] {
  const name = workload.metadata.name;
  const replicas = workload.spec.replicas ?? 1;
  switch (workload.kind) {
    case WorkloadKind.STATEFUL_SET:
      // The labels the StatefulSet controller adds to each pod (pod-index since Kubernetes 1.28).
      return Array.from({ length: replicas }, (_, i) => ({
        name: `${name}-${i}`,
        labels: { 'apps.kubernetes.io/pod-index': String(i), 'statefulset.kubernetes.io/pod-name': `${name}-${i}` },
        controller: { kind: 'StatefulSet', name },
        // The StatefulSet controller sets each pod's hostname to its name and its subdomain to the
        // governing (headless) Service: the pods' stable DNS names.
        hostname: `${name}-${i}`,
        ...(workload.spec.serviceName !== undefined ? { subdomain: workload.spec.serviceName } : {}),
      }));
    case WorkloadKind.DEPLOYMENT:
      return Array.from({ length: replicas }, (_, i) => ({ name: `${name}-local-${i}`, labels: { 'pod-template-hash': 'local' }, controller: { kind: 'ReplicaSet', name: `${name}-local` } }));
    case WorkloadKind.DAEMON_SET:
      return [{ name: `${name}-${nodeName}`, labels: {}, controller: { kind: 'DaemonSet', name } }];
  }
}

/**
 * The pods a workload would run on one node, with their container ports mapped to local ports.
 * The scrape port annotation is mapped too: it names a container port, which moved.
 */
export function localPods(workload: ManifestObject, placement: LocalPlacement): LocalPod[] {
  if (!isWorkload(workload)) {
    throw new Error(`${workload.kind} ${workload.metadata.name} is not a workload (expected one of ${[...WORKLOAD_KINDS].join(', ')})`);
  }
  const template = workload.spec.template;
  const namespace = workload.metadata.namespace ?? 'default';
  const containers = template.spec.containers;
  return podNames(workload, placement.nodeName).map(({ name, labels, controller, hostname, subdomain }) => {
    const local: LocalContainer[] = containers.map((c) => ({
      name: c.name,
      image: c.image ?? '',
      ports: (c.ports ?? []).map((p) => ({ name: p.name, port: placement.portFor(name, c.name, p.containerPort), containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })),
    }));
    const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
    const scrapePort = annotations[ScrapeAnnotations.port];
    if (scrapePort !== undefined) {
      const mapped = local.flatMap((c) => c.ports).find((p) => p.containerPort === Number(scrapePort));
      if (mapped === undefined) {
        throw new Error(`${workload.kind} ${workload.metadata.name}: annotation ${ScrapeAnnotations.port}=${scrapePort} names no container port`);
      }
      annotations[ScrapeAnnotations.port] = String(mapped.port);
    }
    return {
      namespace,
      name,
      uid: localUid(namespace, name),
      nodeName: placement.nodeName,
      ip: placement.ip ?? '127.0.0.1',
      phase: PodPhase.RUNNING,
      ready: true,
      labels: { ...(template.metadata?.labels ?? {}), ...labels },
      annotations,
      containers: local,
      controller,
      ...(hostname !== undefined ? { hostname } : {}),
      ...(subdomain !== undefined ? { subdomain } : {}),
    };
  });
}

/** A synthesized Service as a {@link LocalService}. */
export function localService(service: ManifestObject): LocalService {
  if (!isService(service)) {
    throw new Error(`${service.kind} ${service.metadata.name} is not a Service`);
  }
  return {
    namespace: service.metadata.namespace ?? 'default',
    name: service.metadata.name,
    labels: service.metadata.labels ?? {},
    annotations: service.metadata.annotations ?? {},
    selector: service.spec?.selector ?? {},
    ports: (service.spec?.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, targetPort: p.targetPort ?? p.port })),
    ...(service.spec?.clusterIP === 'None' ? { headless: true } : {}),
  };
}

/** The pod template's container of that name. */
export function containerOf(workload: ManifestObject, name: string): ManifestContainer {
  const found = isWorkload(workload) ? workload.spec.template.spec.containers.find((c) => c.name === name) : undefined;
  if (found === undefined) {
    throw new Error(`${workload.kind} ${workload.metadata.name} has no container ${name}`);
  }
  return found;
}

/**
 * The environment the kubelet would give a container in that pod: literal values and the
 * downward-API fields. Any other source is an error naming the variable.
 */
export function containerEnv(container: ManifestContainer, pod: LocalPod, serviceAccount = 'default'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      out[e.name] = e.value;
      continue;
    }
    const fieldPath = e.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath === undefined) {
      throw new Error(`container ${container.name}: env ${e.name} comes from ${JSON.stringify(e.valueFrom)}, which the local stack does not provide`);
    }
    out[e.name] = fieldValue(fieldPath, pod, serviceAccount, `container ${container.name}: env ${e.name}`);
  }
  return out;
}

function fieldValue(fieldPath: string, pod: LocalPod, serviceAccount: string, where: string): string {
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (keyed !== null) {
    const value = (keyed[1] === 'labels' ? pod.labels : pod.annotations)[keyed[2]];
    if (value === undefined) {
      throw new Error(`${where}: pod ${pod.name} has no ${keyed[1].slice(0, -1)} ${keyed[2]}`);
    }
    return value;
  }
  const fields: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': pod.namespace,
    'metadata.uid': pod.uid,
    'spec.nodeName': pod.nodeName,
    'spec.serviceAccountName': serviceAccount,
    'status.podIP': pod.ip,
    'status.hostIP': pod.ip,
  };
  const value = fields[fieldPath];
  if (value === undefined) {
    throw new Error(`${where}: fieldRef ${fieldPath} is not supported locally (supported: ${Object.keys(fields).join(', ')}, metadata.labels['…'], metadata.annotations['…'])`);
  }
  return value;
}

/** What backs a volume mount. */
export type MountSource =
  | { readonly kind: 'configMap'; readonly name: string }
  | { readonly kind: 'secret'; readonly name: string }
  | { readonly kind: 'claim' }
  | { readonly kind: 'emptyDir' }
  | { readonly kind: 'hostPath'; readonly path: string };

/** A container's volume mount and what backs it. */
export interface Mount {
  readonly path: string;
  readonly source: MountSource;
}

/** The mounts of a container, resolved against the pod template's volumes and claim templates. */
export function mountsOf(workload: ManifestObject, container: ManifestContainer): Mount[] {
  const volumes = isWorkload(workload) ? (workload.spec.template.spec.volumes ?? []) : [];
  const claims = isWorkload(workload) ? (workload.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name) : [];
  return (container.volumeMounts ?? []).map((m) => {
    const v = volumes.find((x) => x.name === m.name);
    const source: MountSource | undefined =
      v?.configMap !== undefined
        ? { kind: 'configMap', name: v.configMap.name }
        : v?.secret !== undefined
          ? { kind: 'secret', name: v.secret.secretName }
          : v?.persistentVolumeClaim !== undefined || (v === undefined && claims.includes(m.name))
            ? { kind: 'claim' }
            : v?.emptyDir !== undefined
              ? { kind: 'emptyDir' }
              : v?.hostPath !== undefined
                ? { kind: 'hostPath', path: v.hostPath.path }
                : undefined;
    if (source === undefined) {
      throw new Error(`${workload.kind} ${workload.metadata.name}: mount ${m.mountPath} uses volume ${m.name}, which is neither declared nor a claim template`);
    }
    return { path: m.mountPath, source };
  });
}
