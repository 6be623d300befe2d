/**
 * Kubernetes service discovery without an API server: every `kubernetes_sd_configs` entry becomes
 * `static_configs` whose targets carry the `__meta_kubernetes_*` labels Kubernetes SD would have
 * produced for the same objects of the local cluster, so the generated `relabel_configs` run
 * unchanged and compute the same target labels as in-cluster. Pure.
 */
import { ScrapeAnnotations } from '../../src/common/names';
import { backingPods, hostPort, PodPhase, targetPortOf, type LocalCluster, type LocalContainer, type LocalContainerPort, type LocalNode, type LocalPod, type LocalService } from './cluster';

/** A static target group, as `static_configs` takes it. */
export interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** A `kubernetes_sd_configs` entry (the keys this stack writes for Prometheus). */
export interface KubernetesSd {
  readonly role: 'pod' | 'node' | 'endpoints' | 'service' | 'endpointslice';
  readonly namespaces?: { readonly names: readonly string[] };
  readonly selectors?: readonly { readonly role: string; readonly field?: string; readonly label?: string }[];
}

/** Anything that holds discovery: a scrape job, an alertmanagers entry. */
export interface WithDiscovery {
  readonly kubernetes_sd_configs?: readonly KubernetesSd[];
  readonly static_configs?: readonly StaticConfig[];
}

const DEFAULT_KUBELET_PORT = 10250;

/** Kubernetes label and annotation names as Prometheus label-name suffixes. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function objectMeta(prefix: string, labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    out[`${prefix}_label_${sanitizeLabelName(k)}`] = v;
    out[`${prefix}_labelpresent_${sanitizeLabelName(k)}`] = 'true';
  }
  for (const [k, v] of Object.entries(annotations)) {
    out[`${prefix}_annotation_${sanitizeLabelName(k)}`] = v;
    out[`${prefix}_annotationpresent_${sanitizeLabelName(k)}`] = 'true';
  }
  return out;
}

function podMeta(pod: LocalPod): Record<string, string> {
  return {
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_ip: pod.ip,
    __meta_kubernetes_pod_ready: String(pod.ready ?? true),
    __meta_kubernetes_pod_phase: pod.phase ?? PodPhase.RUNNING,
    __meta_kubernetes_pod_node_name: pod.nodeName,
    __meta_kubernetes_pod_host_ip: pod.ip,
    __meta_kubernetes_pod_uid: pod.uid,
    ...(pod.controller !== undefined
      ? { __meta_kubernetes_pod_controller_kind: pod.controller.kind, __meta_kubernetes_pod_controller_name: pod.controller.name }
      : {}),
    ...objectMeta('__meta_kubernetes_pod', pod.labels, pod.annotations),
  };
}

function containerMeta(container: LocalContainer): Record<string, string> {
  return {
    __meta_kubernetes_pod_container_name: container.name,
    __meta_kubernetes_pod_container_image: container.image ?? '',
    __meta_kubernetes_pod_container_init: 'false',
  };
}

function portMeta(prefix: string, port: LocalContainerPort): Record<string, string> {
  return {
    [`${prefix}_port_name`]: port.name ?? '',
    [`${prefix}_port_number`]: String(port.port),
    [`${prefix}_port_protocol`]: port.protocol ?? 'TCP',
  };
}

/**
 * The targets `role: pod` discovery yields for a pod: one per container port (address `ip:port`)
 * and one per container without ports (address `ip`), each with the pod's and the container's
 * meta labels.
 */
export function podTargets(pod: LocalPod): StaticConfig[] {
  const base = podMeta(pod);
  return pod.containers.flatMap((container) =>
    container.ports.length === 0
      ? [{ targets: [pod.ip], labels: { ...base, ...containerMeta(container) } }]
      : container.ports.map((port) => ({
          targets: [hostPort(pod.ip, port.port)],
          labels: { ...base, ...containerMeta(container), ...portMeta('__meta_kubernetes_pod_container', port) },
        })),
  );
}

/**
 * The Service's annotations as one backing pod's endpoints carry them: a `prometheus.io/port` that
 * names a container port of the pod becomes that port's local port (the process moved it).
 */
function serviceAnnotations(service: LocalService, pod: LocalPod): Record<string, string> {
  const annotations: Record<string, string> = { ...(service.annotations ?? {}) };
  const scrapePort = annotations[ScrapeAnnotations.port];
  const mapped = pod.containers.flatMap((c) => c.ports).find((p) => (p.containerPort ?? p.port) === Number(scrapePort));
  if (scrapePort !== undefined && mapped !== undefined) {
    annotations[ScrapeAnnotations.port] = String(mapped.port);
  }
  return annotations;
}

/** The targets `role: endpoints` discovery yields for a Service: one per backing pod and port. */
export function endpointsTargets(service: LocalService, pods: readonly LocalPod[]): StaticConfig[] {
  const serviceMeta = {
    __meta_kubernetes_namespace: service.namespace,
    __meta_kubernetes_endpoints_name: service.name,
    __meta_kubernetes_service_name: service.name,
    ...objectMeta('__meta_kubernetes_endpoints', service.labels),
  };
  return backingPods(service, pods).flatMap((pod) =>
    service.ports.map((port) => ({
      targets: [hostPort(pod.ip, targetPortOf(pod, service, port))],
      labels: {
        ...podMeta(pod),
        ...serviceMeta,
        ...objectMeta('__meta_kubernetes_service', service.labels, serviceAnnotations(service, pod)),
        __meta_kubernetes_endpoint_ready: String(pod.ready ?? true),
        __meta_kubernetes_endpoint_node_name: pod.nodeName,
        __meta_kubernetes_endpoint_address_target_kind: 'Pod',
        __meta_kubernetes_endpoint_address_target_name: pod.name,
        __meta_kubernetes_endpoint_port_name: port.name,
        __meta_kubernetes_endpoint_port_protocol: 'TCP',
      },
    })),
  );
}

/** The targets `role: node` discovery yields: the kubelet of each node. */
export function nodeTargets(node: LocalNode): StaticConfig[] {
  return [
    {
      targets: [hostPort(node.ip, node.kubeletPort ?? DEFAULT_KUBELET_PORT)],
      labels: { __meta_kubernetes_node_name: node.name, __meta_kubernetes_node_address_InternalIP: node.ip, ...objectMeta('__meta_kubernetes_node', node.labels) },
    },
  ];
}

function expandVariables(text: string, variables: Readonly<Record<string, string>>, where: string): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = variables[name];
    if (value === undefined) {
      throw new Error(`${where}: \${${name}} is not set in the local environment`);
    }
    return value;
  });
}

/** Whether a pod passes a `field` selector such as `spec.nodeName=node-1` (the fields this stack uses). */
function fieldSelects(pod: LocalPod, selector: string, where: string): boolean {
  const match = /^([\w.]+)(==|=|!=)(.*)$/.exec(selector);
  const fields: Record<string, string> = { 'spec.nodeName': pod.nodeName, 'metadata.name': pod.name, 'metadata.namespace': pod.namespace, 'status.phase': pod.phase ?? PodPhase.RUNNING };
  const value = match === null ? undefined : fields[match[1]];
  if (match === null || value === undefined) {
    throw new Error(`${where}: unsupported field selector '${selector}' (supported: ${Object.keys(fields).join(', ')} with =, ==, !=)`);
  }
  return match[2] === '!=' ? value !== match[3] : value === match[3];
}

function labelSelects(labels: Readonly<Record<string, string>>, selector: string, where: string): boolean {
  return selector.split(',').every((term) => {
    const match = /^\s*([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)\s*$/.exec(term);
    if (match === null) {
      throw new Error(`${where}: unsupported label selector '${selector}' (supported: key=value, key!=value)`);
    }
    return match[2] === '!=' ? labels[match[1]] !== match[3] : labels[match[1]] === match[3];
  });
}

/**
 * The static target groups a `kubernetes_sd_configs` entry stands for in the local cluster.
 * `variables` expands `${VAR}` in selectors, as `-config.expand-env` does for Promtail.
 */
export function discover(sd: KubernetesSd, cluster: LocalCluster, where: string, variables: Readonly<Record<string, string>> = {}): StaticConfig[] {
  const names = sd.namespaces?.names;
  const inNamespaces = (ns: string): boolean => names === undefined || names.length === 0 || names.includes(ns);
  switch (sd.role) {
    case 'pod': {
      const selectors = sd.selectors ?? [];
      for (const s of selectors) {
        if (s.role !== 'pod') {
          throw new Error(`${where}: a selector of role '${s.role}' in a pod discovery is not supported`);
        }
      }
      const selected = (pod: LocalPod): boolean =>
        selectors.every(
          (s) =>
            (s.field === undefined || fieldSelects(pod, expandVariables(s.field, variables, where), where)) &&
            (s.label === undefined || labelSelects(pod.labels, expandVariables(s.label, variables, where), where)),
        );
      return cluster.pods.filter((p) => inNamespaces(p.namespace) && selected(p)).flatMap(podTargets);
    }
    case 'endpoints':
      if ((sd.selectors ?? []).length > 0) {
        throw new Error(`${where}: selectors on endpoints discovery are not supported`);
      }
      return cluster.services.filter((s) => inNamespaces(s.namespace)).flatMap((s) => endpointsTargets(s, cluster.pods));
    case 'node':
      return (cluster.nodes ?? []).flatMap(nodeTargets);
    default:
      throw new Error(`${where}: kubernetes_sd_configs role '${sd.role}' is not supported locally (supported: pod, endpoints, node)`);
  }
}

/** Replaces the `kubernetes_sd_configs` of one job (or alertmanagers entry) with `static_configs`. */
export function toStatic<T extends WithDiscovery>(holder: T, cluster: LocalCluster, where: string, variables: Readonly<Record<string, string>> = {}): Omit<T, 'kubernetes_sd_configs'> & { static_configs: StaticConfig[] } {
  const { kubernetes_sd_configs: sds, ...rest } = holder;
  const discovered = (sds ?? []).flatMap((sd) => discover(sd, cluster, where, variables));
  return { ...rest, static_configs: [...(holder.static_configs ?? []), ...discovered] };
}
