/**
 * Running the generated configs off-cluster: Kubernetes service discovery, Service DNS names and
 * container paths do not exist on a developer machine or a CI runner. This module replaces exactly
 * those parts and nothing else:
 *
 * - every `kubernetes_sd_configs` becomes `static_configs` whose targets carry the
 *   `__meta_kubernetes_*` labels Kubernetes SD would have produced for the same objects, so the
 *   generated `relabel_configs` run unchanged and compute the same target labels as in-cluster;
 * - `http://<service>.<namespace>.svc:<port>` addresses become the loopback address of the local
 *   process behind that Service;
 * - absolute paths under a container's mounts (config, rules, storage, secrets, log files) map to
 *   the local directories that stand for those volumes;
 * - listen ports and addresses (config keys or command-line flags) become the loopback ports chosen
 *   at run time;
 * - where a program cannot run locally, an in-cluster URL of it may be substituted, explicitly and
 *   with the reason, by the URL of a local stand-in speaking the same protocol (Loki's OTLP and push
 *   endpoints → VictoriaLogs's, since Loki is not run here).
 *
 * Rules, relabelling, remote_write queues, alerting, routing and retention are left as generated.
 * Everything here is pure: the caller allocates ports and writes files.
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

/** A container path (a volume mount) and the local directory or file that stands for it. */
export interface PathMount {
  /** The absolute path inside the container, e.g. `/etc/prometheus/rules`. */
  readonly path: string;
  /** The absolute local path it maps to. */
  readonly localPath: string;
}

/** Everything the local stack offers in place of a cluster. */
export interface LocalCluster {
  readonly pods: readonly LocalPod[];
  readonly services: readonly LocalService[];
  /** @default - none (no kubelet runs locally) */
  readonly nodes?: readonly LocalNode[];
}

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

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
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

function matchesSelector(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** The local port of a pod that a Service port's targetPort (number or name) designates. */
export function targetPortOf(pod: LocalPod, service: LocalService, port: LocalServicePort): number {
  const ports = pod.containers.flatMap((c) => c.ports);
  const found = ports.find((p) => (typeof port.targetPort === 'string' ? p.name === port.targetPort : (p.containerPort ?? p.port) === port.targetPort));
  if (found === undefined) {
    throw new Error(
      `service ${service.namespace}/${service.name} port ${port.name}: targetPort ${JSON.stringify(port.targetPort)} is not a port of pod ${pod.name} ` +
        `(its ports: ${ports.map((p) => `${p.name ?? ''}=${p.containerPort ?? p.port}`).join(', ') || 'none'})`,
    );
  }
  return found.port;
}

/** The targets `role: endpoints` discovery yields for a Service: one per backing pod and port. */
export function endpointsTargets(service: LocalService, pods: readonly LocalPod[]): StaticConfig[] {
  const serviceMeta = {
    __meta_kubernetes_namespace: service.namespace,
    __meta_kubernetes_endpoints_name: service.name,
    __meta_kubernetes_service_name: service.name,
    ...objectMeta('__meta_kubernetes_service', service.labels),
    ...objectMeta('__meta_kubernetes_endpoints', service.labels),
  };
  const backing = pods.filter((p) => p.namespace === service.namespace && matchesSelector(p.labels, service.selector));
  return backing.flatMap((pod) =>
    service.ports.map((port) => ({
      targets: [hostPort(pod.ip, targetPortOf(pod, service, port))],
      labels: {
        ...podMeta(pod),
        ...serviceMeta,
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

/**
 * In-cluster `host:port` of each Service port → the local `host:port` of its first backing pod; and,
 * for a headless Service, `<hostname>.<service>.<namespace>.svc:port` of each backing pod whose
 * subdomain it is → that pod's local `host:port`.
 */
export function serviceAddresses(cluster: LocalCluster): Map<string, string> {
  const out = new Map<string, string>();
  const names = (host: string): string[] => [host, `${host}.cluster.local`];
  for (const service of cluster.services) {
    const backing = cluster.pods.filter((p) => p.namespace === service.namespace && matchesSelector(p.labels, service.selector));
    if (backing.length === 0) {
      continue;
    }
    for (const port of service.ports) {
      for (const host of names(`${service.name}.${service.namespace}.svc`)) {
        out.set(`${host}:${port.port}`, hostPort(backing[0].ip, targetPortOf(backing[0], service, port)));
      }
      if (service.headless ?? false) {
        for (const pod of backing.filter((p) => p.hostname !== undefined && p.subdomain === service.name)) {
          for (const host of names(`${pod.hostname}.${service.name}.${service.namespace}.svc`)) {
            out.set(`${host}:${port.port}`, hostPort(pod.ip, targetPortOf(pod, service, port)));
          }
        }
      }
    }
  }
  return out;
}

/** A Service's (`service.namespace.svc`) or a pod's (`hostname.service.namespace.svc`) in-cluster DNS name. */
const CLUSTER_HOST = /^([a-z0-9-]+\.)?[a-z0-9-]+\.[a-z0-9-]+\.svc(\.cluster\.local)?$/;

/**
 * An in-cluster address (`service.namespace.svc:port` or a pod's `hostname.service.namespace.svc:port`,
 * with or without `http://…/path`) mapped to
 * the local process behind it. Anything that is not a cluster Service address is returned as is;
 * a cluster address with no local Service is an error naming it.
 */
export function localAddress(text: string, addresses: ReadonlyMap<string, string>, where: string): string {
  const url = /^(https?:\/\/)([^/:]+):(\d+)(\/.*)?$/.exec(text);
  const bare = /^([^/:]+):(\d+)$/.exec(text);
  const [scheme, host, port, path] = url !== null ? [url[1], url[2], url[3], url[4] ?? ''] : bare !== null ? ['', bare[1], bare[2], ''] : ['', '', '', ''];
  if (!CLUSTER_HOST.test(host)) {
    return text;
  }
  const local = addresses.get(`${host}:${port}`);
  if (local === undefined) {
    throw new Error(`${where}: ${text} names a Service that does not run locally (known: ${[...addresses.keys()].filter((k) => !k.includes('cluster.local')).join(', ') || 'none'})`);
  }
  return `${scheme}${local}${path}`;
}

/**
 * A container path under one of the mounts (the longest that matches) mapped to its local path;
 * any other string is returned as is.
 */
export function localPath(path: string, mounts: readonly PathMount[]): string {
  const under = (m: PathMount): boolean => path === m.path || path.startsWith(m.path.endsWith('/') ? m.path : `${m.path}/`);
  const best = mounts.filter(under).sort((a, b) => b.path.length - a.path.length)[0];
  return best === undefined ? path : `${best.localPath.replace(/\/$/, '')}${path.slice(best.path.replace(/\/$/, '').length)}`;
}

/** Every string of a document passed through `fn` (keys and structure unchanged). */
export function mapStrings<T>(value: T, fn: (text: string, path: string) => string, path = ''): T {
  if (typeof value === 'string') {
    return fn(value, path) as T;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => mapStrings(v, fn, `${path}[${i}]`)) as T;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn, path === '' ? k : `${path}.${k}`)])) as T;
  }
  return value;
}

/**
 * An in-cluster URL whose program does not run locally, and the local stand-in that receives what was
 * sent to it instead (same protocol, another implementation).
 */
export interface UrlSubstitution {
  /** The in-cluster URL (scheme, Service host, port and path prefix), e.g. `http://loki.ns.svc:3100/otlp`. */
  readonly from: string;
  /** The local URL the prefix becomes, e.g. `http://127.0.0.1:41234/insert/opentelemetry`. */
  readonly to: string;
  /** Why the substitution is made (kept for error messages and reports). */
  readonly why: string;
}

/** What every local config transform needs. */
export interface LocalTransform {
  readonly cluster: LocalCluster;
  /** The consuming container's mounts and their local stand-ins. */
  readonly mounts: readonly PathMount[];
  /** `${VAR}` values for selectors, as the container's environment would expand them. @default {} */
  readonly variables?: Readonly<Record<string, string>>;
  /** In-cluster URLs served locally by a stand-in (matched as a prefix, at a path boundary). @default [] */
  readonly substitutions?: readonly UrlSubstitution[];
}

/**
 * A URL under one of the substitutions (the longest `from` that matches at a path boundary) mapped to
 * its stand-in; any other string is returned unchanged.
 */
export function substituteUrl(text: string, substitutions: readonly UrlSubstitution[]): string {
  const under = (s: UrlSubstitution): boolean => text === s.from || text.startsWith(s.from.endsWith('/') ? s.from : `${s.from}/`);
  const best = [...substitutions].filter(under).sort((a, b) => b.from.length - a.from.length)[0];
  return best === undefined ? text : `${best.to.replace(/\/$/, '')}${text.slice(best.from.replace(/\/$/, '').length)}`;
}

function relocate<T>(doc: T, t: LocalTransform, what: string): T {
  const addresses = serviceAddresses(t.cluster);
  const subs = t.substitutions ?? [];
  return mapStrings(doc, (text, path) => localPath(localAddress(substituteUrl(text, subs), addresses, `${what} ${path}`), t.mounts));
}

/** The Prometheus config keys the transform reads (a superset of the generated file's type). */
export interface PrometheusConfigInput {
  readonly scrape_configs: readonly (WithDiscovery & { readonly job_name: string })[];
  readonly alerting?: { readonly alertmanagers: readonly WithDiscovery[] };
  readonly [key: string]: unknown;
}

/**
 * prometheus.yml for the local stack: every job and the alertmanagers discover through
 * `static_configs` built from the local cluster; Service URLs (remote_write) and container paths
 * (rule files, credentials) are relocated. Relabelling, rules, remote_write queues and alerting are
 * kept as generated.
 */
export function localPrometheusConfig<T extends PrometheusConfigInput>(config: T, t: LocalTransform): T {
  const vars = t.variables ?? {};
  const withStatic = {
    ...config,
    scrape_configs: config.scrape_configs.map((job) => toStatic(job, t.cluster, `prometheus job ${job.job_name}`, vars)),
    ...(config.alerting !== undefined
      ? { alerting: { ...config.alerting, alertmanagers: config.alerting.alertmanagers.map((am, i) => toStatic(am, t.cluster, `prometheus alertmanagers[${i}]`, vars)) } }
      : {}),
  };
  return relocate(withStatic, t, 'prometheus.yml') as unknown as T;
}

/** The OpenTelemetry Collector config keys the transform reads. */
export interface OtelCollectorConfigInput {
  readonly extensions?: { readonly health_check?: { readonly endpoint?: string; readonly [key: string]: unknown }; readonly [key: string]: unknown };
  readonly service: {
    readonly telemetry?: {
      readonly metrics?: { readonly readers?: readonly { readonly pull?: { readonly exporter?: { readonly prometheus?: { readonly host?: string; readonly port?: number } } } }[]; readonly [key: string]: unknown };
      readonly [key: string]: unknown;
    };
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** The collector's local listen addresses. */
export interface OtelCollectorListen {
  readonly host: string;
  /** The health_check extension's port. */
  readonly healthPort: number;
  /** The port of its own metrics (the telemetry's Prometheus pull reader). */
  readonly metricsPort: number;
}

/**
 * The collector's config.yaml for the local stack: the files it tails, its file_storage directory and
 * the exporter's Service URL relocated (the Loki endpoint through the transform's substitutions), the
 * health_check extension and the own-metrics reader bound to loopback ports. Receivers' operators,
 * processors, queues and retries are left as generated.
 */
export function localOtelCollectorConfig<T extends OtelCollectorConfigInput>(config: T, t: LocalTransform, listen: OtelCollectorListen): T {
  const relocated = relocate(config, t, 'otel-collector config') as OtelCollectorConfigInput;
  const health = relocated.extensions?.health_check;
  if (health === undefined) {
    throw new Error('otel-collector config: no health_check extension to bind (the harness waits on it)');
  }
  const readers = relocated.service.telemetry?.metrics?.readers ?? [];
  const pulls = readers.filter((r) => r.pull?.exporter?.prometheus !== undefined);
  if (pulls.length !== 1) {
    throw new Error(`otel-collector config: expected one Prometheus pull reader for its own metrics, found ${pulls.length}`);
  }
  return {
    ...relocated,
    extensions: { ...relocated.extensions, health_check: { ...health, endpoint: hostPort(listen.host, listen.healthPort) } },
    service: {
      ...relocated.service,
      telemetry: {
        ...relocated.service.telemetry,
        metrics: {
          ...relocated.service.telemetry!.metrics,
          readers: readers.map((r) =>
            r.pull?.exporter?.prometheus === undefined
              ? r
              : { ...r, pull: { ...r.pull, exporter: { ...r.pull.exporter, prometheus: { ...r.pull.exporter.prometheus, host: listen.host, port: listen.metricsPort } } } },
          ),
        },
      },
    },
  } as unknown as T;
}

/** alertmanager.yml for the local stack: receiver secret files relocated; routing untouched. */
export function localAlertmanagerConfig<T extends object>(config: T, t: LocalTransform): T {
  return relocate(config, t, 'alertmanager.yml');
}

/**
 * A container's command-line flags for the local stack: the flags named in `listen` get the local
 * address (each must be present; one generated empty, a listener switched off such as a single
 * Alertmanager's `--cluster.listen-address=`, stays off), paths move under the root, Service and pod
 * addresses are mapped. Flags are `-name=value` or `--name=value`.
 */
export function localArgs(args: readonly string[], t: LocalTransform, listen: Readonly<Record<string, string>>, where: string): string[] {
  const seen = new Set<string>();
  const addresses = serviceAddresses(t.cluster);
  const out = args.map((arg) => {
    const match = /^(--?)([\w.-]+)=(.*)$/.exec(arg);
    if (match === null) {
      return arg;
    }
    const [, dashes, name, value] = match;
    if (listen[name] !== undefined) {
      seen.add(name);
      return value === '' ? arg : `${dashes}${name}=${listen[name]}`;
    }
    return `${dashes}${name}=${localPath(localAddress(substituteUrl(value, t.substitutions ?? []), addresses, `${where} flag ${name}`), t.mounts)}`;
  });
  const missing = Object.keys(listen).filter((name) => !seen.has(name));
  if (missing.length > 0) {
    throw new Error(`${where}: listen flag(s) ${missing.join(', ')} not among the generated args ${JSON.stringify(args)}`);
  }
  return out;
}
