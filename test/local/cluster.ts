/**
 * The local stand-in of a cluster: the pods, Services and nodes the live harness runs on one
 * machine, as the Kubernetes API would describe them. Kubernetes discovery (kubernetes-sd.ts) and
 * address relocation (relocate.ts) read this model; pods.ts builds it from synthesized manifests.
 */

/** The phase of a pod, as the Kubernetes API reports it. */
export enum PodPhase {
  PENDING = 'Pending',
  RUNNING = 'Running',
  SUCCEEDED = 'Succeeded',
  FAILED = 'Failed',
  UNKNOWN = 'Unknown',
}

/** A port of a container, as it listens locally. */
export interface LocalContainerPort {
  /** The port's name in the manifest. @default - unnamed */
  readonly name?: string;
  /** The port the local process listens on (the manifest's containerPort, mapped). */
  readonly port: number;
  /** The manifest's containerPort, which Services name as their targetPort. @default - same as port */
  readonly containerPort?: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** A container of a {@link LocalPod}. */
export interface LocalContainer {
  readonly name: string;
  /** The image of the manifest. @default '' */
  readonly image?: string;
  readonly ports: readonly LocalContainerPort[];
}

/** The controller that owns a pod (its `ownerReferences[0]`). */
export interface PodController {
  readonly kind: 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';
  readonly name: string;
}

/**
 * A pod of the stack as it runs locally: what Kubernetes SD would read from the API server. Its
 * annotations are the manifest's, with port annotations already mapped to the local ports.
 */
export interface LocalPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly nodeName: string;
  /** The pod's address; the host's as well (one local "node"). */
  readonly ip: string;
  /** @default PodPhase.RUNNING */
  readonly phase?: PodPhase;
  /** @default true */
  readonly ready?: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly containers: readonly LocalContainer[];
  /** @default - no controller */
  readonly controller?: PodController;
  /**
   * The pod's `spec.hostname` and `spec.subdomain`. A pod whose subdomain names a headless Service of
   * its namespace that selects it has the DNS name `<hostname>.<subdomain>.<namespace>.svc` (StatefulSet
   * pods: the pod's name and the StatefulSet's `serviceName`; Alertmanager peers find each other so).
   * @default - no per-pod DNS name
   */
  readonly hostname?: string;
  readonly subdomain?: string;
}

/** A port of a {@link LocalService}. */
export interface LocalServicePort {
  readonly name: string;
  /** The Service's port in the cluster (what in-cluster URLs use). */
  readonly port: number;
  /** The manifest's targetPort: a container port number or name of the backing pods. */
  readonly targetPort: number | string;
}

/** A Service of the stack: its in-cluster name and where its pods answer locally. */
export interface LocalService {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The Service's annotations (e.g. prometheus.io/scrape); a `prometheus.io/port` one names a
   * container port of the backing pods, as in-cluster. @default {}
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Pods whose labels contain all of these back the Service. */
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly LocalServicePort[];
  /** A headless Service (`clusterIP: None`): it gives the pods whose subdomain it is a DNS name each. @default false */
  readonly headless?: boolean;
}

/** A node, for `role: node` discovery. */
export interface LocalNode {
  readonly name: string;
  /** The node's InternalIP. */
  readonly ip: string;
  /** The kubelet's port. @default 10250 */
  readonly kubeletPort?: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** Everything the local stack offers in place of a cluster. */
export interface LocalCluster {
  readonly pods: readonly LocalPod[];
  readonly services: readonly LocalService[];
  /** @default - none (no kubelet runs locally) */
  readonly nodes?: readonly LocalNode[];
}

/** `host:port`, with an IPv6 host in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The pods of the Service's namespace whose labels match its (non-empty) selector. */
export function backingPods(service: LocalService, pods: readonly LocalPod[]): LocalPod[] {
  const selector = Object.entries(service.selector);
  return pods.filter((p) => p.namespace === service.namespace && selector.length > 0 && selector.every(([k, v]) => p.labels[k] === v));
}

/** The local port of a pod that a Service port's targetPort (number or name) designates. */
export function targetPortOf(pod: LocalPod, service: LocalService, port: LocalServicePort): number {
  const ports = pod.containers.flatMap((c) => c.ports);
  const found = ports.find((p) => (typeof port.targetPort === 'string' ? p.name === port.targetPort : (p.containerPort ?? p.port) === port.targetPort));
  if (found === undefined) {
    throw new Error(
      `service ${service.namespace}/${service.name} port ${port.name}: targetPort ${JSON.stringify(port.targetPort)} is not a port of pod ${pod.name} ` +
        `(its ports: ${ports.length === 0 ? 'none' : ports.map((p) => `${p.name ?? ''}=${p.containerPort ?? p.port}`).join(', ')})`,
    );
  }
  return found.port;
}
