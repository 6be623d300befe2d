import { parse } from 'yaml';
import { ComponentName } from '../../src/common/names';
import { resolveConfig } from '../../src/config/loader';
import {
  discover,
  endpointsTargets,
  localAddress,
  localAlertmanagerConfig,
  localOtelCollectorConfig,
  localArgs,
  localPath,
  localPrometheusConfig,
  podTargets,
  serviceAddresses,
  substituteUrl,
  type LocalCluster,
  type LocalPod,
  type LocalService,
  type LocalTransform,
  type OtelCollectorConfigInput,
  type PrometheusConfigInput,
} from '../../src/local/discovery';
import { containerOf, isWorkload, localPods, localService, type ManifestObject } from '../../src/local/pods';
import { synthStack } from '../helpers';

const pod = (over: Partial<LocalPod> = {}): LocalPod => ({
  namespace: 'fl-training',
  name: 'fl-client-1',
  uid: '0000-1111',
  nodeName: 'node-a',
  ip: '127.0.0.1',
  labels: { 'app.kubernetes.io/name': 'fl-client', 'apps.kubernetes.io/pod-index': '1' },
  annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '41001' },
  containers: [{ name: 'fl-client', image: 'fl-client:1', ports: [{ name: 'metrics', port: 41001, containerPort: 8081 }] }],
  ...over,
});
const amService: LocalService = {
  namespace: 'fl-monitoring',
  name: 'alertmanager',
  labels: { 'app.kubernetes.io/name': 'alertmanager' },
  selector: { 'app.kubernetes.io/name': 'alertmanager' },
  ports: [{ name: 'http', port: 9093, targetPort: 9093 }],
};
const amPod = pod({
  namespace: 'fl-monitoring',
  name: 'alertmanager-0',
  labels: { 'app.kubernetes.io/name': 'alertmanager' },
  annotations: {},
  containers: [{ name: 'alertmanager', ports: [{ name: 'http', port: 42000, containerPort: 9093 }, { name: 'cluster', port: 42001, containerPort: 9094 }] }],
});

test('a pod yields one target per container port, with the meta labels Kubernetes SD sets', () => {
  const groups = podTargets(pod({ containers: [...pod().containers, { name: 'sidecar', ports: [] }] }));
  expect(groups.map((g) => g.targets)).toEqual([['127.0.0.1:41001'], ['127.0.0.1']]);
  expect(groups[0].labels).toMatchObject({
    __meta_kubernetes_namespace: 'fl-training',
    __meta_kubernetes_pod_name: 'fl-client-1',
    __meta_kubernetes_pod_ip: '127.0.0.1',
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_ready: 'true',
    __meta_kubernetes_pod_node_name: 'node-a',
    __meta_kubernetes_pod_uid: '0000-1111',
    __meta_kubernetes_pod_label_app_kubernetes_io_name: 'fl-client',
    __meta_kubernetes_pod_labelpresent_app_kubernetes_io_name: 'true',
    __meta_kubernetes_pod_label_apps_kubernetes_io_pod_index: '1',
    __meta_kubernetes_pod_annotation_prometheus_io_port: '41001',
    __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: 'true',
    __meta_kubernetes_pod_container_name: 'fl-client',
    __meta_kubernetes_pod_container_port_name: 'metrics',
    __meta_kubernetes_pod_container_port_number: '41001',
    __meta_kubernetes_pod_container_port_protocol: 'TCP',
    __meta_kubernetes_pod_container_init: 'false',
  });
  expect(groups[1].labels.__meta_kubernetes_pod_container_name).toBe('sidecar');
  expect(groups[1].labels.__meta_kubernetes_pod_container_port_number).toBeUndefined();
});

test('endpoints: one target per backing pod and Service port, targetPort by number or name', () => {
  const byNumber = endpointsTargets(amService, [amPod, pod()]);
  expect(byNumber.map((g) => g.targets[0])).toEqual(['127.0.0.1:42000']);
  expect(byNumber[0].labels).toMatchObject({
    __meta_kubernetes_service_name: 'alertmanager',
    __meta_kubernetes_endpoint_port_name: 'http',
    __meta_kubernetes_endpoint_address_target_kind: 'Pod',
    __meta_kubernetes_endpoint_address_target_name: 'alertmanager-0',
    __meta_kubernetes_namespace: 'fl-monitoring',
  });
  expect(endpointsTargets({ ...amService, ports: [{ name: 'c', port: 1, targetPort: 'cluster' }] }, [amPod])[0].targets).toEqual(['127.0.0.1:42001']);
  expect(() => endpointsTargets({ ...amService, ports: [{ name: 'x', port: 1, targetPort: 9999 }] }, [amPod])).toThrow(
    'service fl-monitoring/alertmanager port x: targetPort 9999 is not a port of pod alertmanager-0 (its ports: http=9093, cluster=9094)',
  );
});

const cluster: LocalCluster = { pods: [pod(), amPod], services: [amService] };

test('discovery honours namespaces and the field selectors the stack uses, with ${VAR} expansion', () => {
  expect(discover({ role: 'pod', namespaces: { names: ['fl-monitoring'] } }, cluster, 'job').map((g) => g.labels.__meta_kubernetes_pod_name)).toEqual(['alertmanager-0', 'alertmanager-0']);
  const onNode = { role: 'pod' as const, selectors: [{ role: 'pod', field: 'spec.nodeName=${HOSTNAME}' }] };
  expect(discover(onNode, cluster, 'job', { HOSTNAME: 'node-a' })).toHaveLength(3);
  expect(discover(onNode, cluster, 'job', { HOSTNAME: 'node-b' })).toHaveLength(0);
  expect(() => discover(onNode, cluster, 'promtail job x')).toThrow('promtail job x: ${HOSTNAME} is not set in the local environment');
  expect(() => discover({ role: 'pod', selectors: [{ role: 'pod', field: 'status.podIP=1' }] }, cluster, 'job')).toThrow("job: unsupported field selector 'status.podIP=1'");
  expect(() => discover({ role: 'service' }, cluster, 'prometheus job svc')).toThrow("prometheus job svc: kubernetes_sd_configs role 'service' is not supported locally");
  expect(discover({ role: 'node' }, cluster, 'kubelet')).toEqual([]);
  expect(discover({ role: 'node' }, { ...cluster, nodes: [{ name: 'n1', ip: '127.0.0.1', labels: {} }] }, 'kubelet')[0].targets).toEqual(['127.0.0.1:10250']);
});

test('Service addresses map to the local process behind them; other strings stay; unknown Services are errors', () => {
  const addresses = serviceAddresses(cluster);
  expect(localAddress('http://alertmanager.fl-monitoring.svc:9093/api/v2', addresses, 'x')).toBe('http://127.0.0.1:42000/api/v2');
  expect(localAddress('alertmanager.fl-monitoring.svc.cluster.local:9093', addresses, 'x')).toBe('127.0.0.1:42000');
  expect(localAddress('https://example.com:443/x', addresses, 'x')).toBe('https://example.com:443/x');
  expect(localAddress('$1:$2', addresses, 'x')).toBe('$1:$2');
  expect(() => localAddress('http://loki.fl-monitoring.svc:3100/push', addresses, 'otel-collector config exporters.otlp_http.endpoint')).toThrow(
    'otel-collector config exporters.otlp_http.endpoint: http://loki.fl-monitoring.svc:3100/push names a Service that does not run locally (known: alertmanager.fl-monitoring.svc:9093)',
  );
});

test('URL substitutions: a stand-in takes an in-cluster URL prefix at path boundaries only, the longest first', () => {
  const subs = [
    { from: 'http://loki.fl-monitoring.svc:3100/otlp', to: 'http://127.0.0.1:41000/insert/opentelemetry', why: 'Loki is not run here' },
    { from: 'http://loki.fl-monitoring.svc:3100', to: 'http://127.0.0.1:41000/insert', why: 'Loki is not run here' },
  ];
  expect(substituteUrl('http://loki.fl-monitoring.svc:3100/otlp', subs)).toBe('http://127.0.0.1:41000/insert/opentelemetry');
  expect(substituteUrl('http://loki.fl-monitoring.svc:3100/otlp/v1/logs', subs)).toBe('http://127.0.0.1:41000/insert/opentelemetry/v1/logs');
  expect(substituteUrl('http://loki.fl-monitoring.svc:3100/loki/api/v1/push', subs)).toBe('http://127.0.0.1:41000/insert/loki/api/v1/push');
  // /otlpx is not under /otlp: only the shorter prefix applies. Another port or Service: unchanged.
  expect(substituteUrl('http://loki.fl-monitoring.svc:3100/otlpx', subs)).toBe('http://127.0.0.1:41000/insert/otlpx');
  expect(substituteUrl('http://loki.fl-monitoring.svc:31000/otlp', subs)).toBe('http://loki.fl-monitoring.svc:31000/otlp');
  expect(substituteUrl('http://lokis.fl-monitoring.svc:3100/otlp', subs)).toBe('http://lokis.fl-monitoring.svc:3100/otlp');
  expect(substituteUrl('/var/log/pods', subs)).toBe('/var/log/pods');
  // Without a substitution, a Service that does not run locally stays an error naming it.
  const t: LocalTransform = { cluster: { pods: [], services: [] }, mounts: [] };
  expect(() => localAlertmanagerConfig({ url: 'http://loki.fl-monitoring.svc:3100/otlp' }, t)).toThrow('alertmanager.yml url: http://loki.fl-monitoring.svc:3100/otlp names a Service that does not run locally');
  expect(localAlertmanagerConfig({ url: 'http://loki.fl-monitoring.svc:3100/otlp' }, { ...t, substitutions: subs })).toEqual({ url: 'http://127.0.0.1:41000/insert/opentelemetry' });
  expect(localArgs(['-push=http://loki.fl-monitoring.svc:3100/loki/api/v1/push'], { ...t, substitutions: subs }, {}, 'args')).toEqual(['-push=http://127.0.0.1:41000/insert/loki/api/v1/push']);
});

test('paths move under the longest matching mount, at path boundaries only', () => {
  const mounts = [
    { path: '/etc/prometheus', localPath: '/tmp/a' },
    { path: '/etc/prometheus/rules', localPath: '/tmp/rules' },
    { path: '/prometheus', localPath: '/tmp/data' },
  ];
  expect(localPath('/etc/prometheus/rules/*.yaml', mounts)).toBe('/tmp/rules/*.yaml');
  expect(localPath('/etc/prometheus/prometheus.yml', mounts)).toBe('/tmp/a/prometheus.yml');
  expect(localPath('/prometheus', mounts)).toBe('/tmp/data');
  expect(localPath('/prometheus-other', mounts)).toBe('/prometheus-other');
  expect(localPath('/metrics', mounts)).toBe('/metrics');
});

// ---------------------------------------------------------------------------------------------
// The transform on the configs the stack really generates: only the allowed keys change.

const config = resolveConfig({
  overrides: {
    fluentd: { enabled: false },
    alertmanager: { receivers: [{ name: 'oncall', type: 'webhook', url: { name: 'am-secrets', key: 'url' } }], routes: { critical: 'oncall', warning: 'oncall', info: null } },
  },
});
const objects = synthStack(config) as ManifestObject[];
const configMap = (name: string, key: string): unknown => parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)!.data![key]);
let next = 40000;
const localCluster: LocalCluster = {
  pods: objects.filter(isWorkload).flatMap((w) => localPods(w, { nodeName: 'local-node', portFor: () => next++ })),
  services: objects.filter((o) => o.kind === 'Service').map(localService),
};
const transformFor = (mounts: LocalTransform['mounts'], variables: Record<string, string> = {}): LocalTransform => ({ cluster: localCluster, mounts, variables });

/** Leaf paths where two documents differ (array indices kept). */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}
/** The differing paths, with discovery subtrees collapsed to their key. */
function changedKeys(a: unknown, b: unknown): string[] {
  return [...new Set(differences(a, b).map((p) => p.replace(/^(.*?\.(kubernetes_sd_configs|static_configs))[[.].*$/, '$1')))].sort();
}

test('prometheus.yml: only discovery, the remote_write URL and mounted paths change', () => {
  const input = configMap('prometheus-config', 'prometheus.yml') as PrometheusConfigInput;
  const mounts = [
    { path: '/etc/prometheus/config', localPath: '/tmp/p/config' },
    { path: '/etc/prometheus/rules', localPath: '/tmp/p/rules' },
    { path: '/prometheus', localPath: '/tmp/p/data' },
    { path: '/var/run/secrets/kubernetes.io/serviceaccount', localPath: '/tmp/p/sa' },
  ];
  const output = localPrometheusConfig(input, transformFor(mounts));
  expect(changedKeys(input, output)).toEqual([
    'alerting.alertmanagers[0].kubernetes_sd_configs',
    'alerting.alertmanagers[0].static_configs',
    'remote_write[0].url',
    'rule_files[0]',
    'scrape_configs[0].kubernetes_sd_configs',
    'scrape_configs[0].static_configs',
    'scrape_configs[1].kubernetes_sd_configs',
    'scrape_configs[1].static_configs',
    'scrape_configs[2].authorization.credentials_file',
    'scrape_configs[2].kubernetes_sd_configs',
    'scrape_configs[2].static_configs',
    'scrape_configs[2].tls_config.ca_file',
    'scrape_configs[3].authorization.credentials_file',
    'scrape_configs[3].kubernetes_sd_configs',
    'scrape_configs[3].static_configs',
    'scrape_configs[3].tls_config.ca_file',
  ]);
  const out = output as unknown as { rule_files: string[]; remote_write: { url: string }[]; scrape_configs: { job_name: string; static_configs: { labels: Record<string, string> }[] }[] };
  expect(out.rule_files).toEqual(['/tmp/p/rules/*.yaml']);
  const vm = localCluster.pods.find((p) => p.name === 'victoria-metrics-0')!.containers[0].ports[0].port;
  expect(out.remote_write[0].url).toBe(`http://127.0.0.1:${vm}/api/v1/write`);
  // The pods job sees every local pod of the stack's namespaces; no kubelet runs locally.
  const pods = new Set(out.scrape_configs[0].static_configs.map((g) => g.labels.__meta_kubernetes_pod_name));
  expect(pods).toEqual(new Set(localCluster.pods.map((p) => p.name)));
  expect(out.scrape_configs.filter((j) => ['kubelet', 'cadvisor'].includes(j.job_name)).map((j) => j.static_configs)).toEqual([[], []]);
});

test('otel-collector config.yaml: tailed paths, file_storage, the Loki endpoint (to its stand-in) and the listen addresses change, nothing else', () => {
  const input = configMap('otel-collector-config', 'config.yaml') as OtelCollectorConfigInput;
  const mounts = [
    { path: '/var/log/pods', localPath: '/tmp/node/var/log/pods' },
    { path: '/var/lib/otelcol', localPath: '/tmp/node/otelcol-state' },
  ];
  const lokiOtlp = 'http://loki.fl-monitoring.svc:3100/otlp';
  const substitutions = [{ from: lokiOtlp, to: 'http://127.0.0.1:41000/insert/opentelemetry', why: 'Loki is not run here' }];
  const listen = { host: '127.0.0.1', healthPort: 47000, metricsPort: 47001 };
  const output = localOtelCollectorConfig(input, { ...transformFor(mounts), substitutions }, listen) as unknown as Record<string, any>;
  const inputDoc = input as unknown as Record<string, any>;
  expect(inputDoc.exporters.otlp_http.endpoint).toBe(lokiOtlp);
  expect(changedKeys(input, output)).toEqual([
    'exporters.otlp_http.endpoint',
    'extensions.file_storage.directory',
    'extensions.health_check.endpoint',
    'receivers.file_log.include[0]',
    'service.telemetry.metrics.readers[0].pull.exporter.prometheus.host',
    'service.telemetry.metrics.readers[0].pull.exporter.prometheus.port',
  ]);
  expect(output.exporters.otlp_http.endpoint).toBe('http://127.0.0.1:41000/insert/opentelemetry');
  expect(output.receivers.file_log.include).toEqual(['/tmp/node/var/log/pods/*/*/*.log']);
  expect(output.extensions).toMatchObject({ health_check: { endpoint: '127.0.0.1:47000' }, file_storage: { directory: '/tmp/node/otelcol-state' } });
  expect(output.service.telemetry.metrics.readers[0].pull.exporter.prometheus).toEqual({ host: '127.0.0.1', port: 47001 });
  // Without the substitution the Loki Service is not local: an error naming it, not a silent pass.
  const withoutLoki = { ...transformFor(mounts), cluster: { ...localCluster, pods: localCluster.pods.filter((p) => !p.name.startsWith('loki-')) } };
  expect(() => localOtelCollectorConfig(input, withoutLoki, listen)).toThrow(`otel-collector config exporters.otlp_http.endpoint: ${lokiOtlp} names a Service that does not run locally`);
});

test('alertmanager.yml: only the receiver secret files move; routing and inhibition stay', () => {
  const input = configMap('alertmanager-config', 'alertmanager.yml') as object;
  const output = localAlertmanagerConfig(input, transformFor([{ path: '/etc/alertmanager/secrets/am-secrets', localPath: '/tmp/am/secrets' }]));
  expect(changedKeys(input, output)).toEqual(['receivers[1].webhook_configs[0].url_file']);
  expect(JSON.stringify(output)).toContain('"url_file":"/tmp/am/secrets/url"');
});

test('command-line flags: listen flags get the local address, paths and Service URLs are mapped, the rest is kept', () => {
  const prometheus = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus')!;
  const args = containerOf(prometheus, 'prometheus').args!;
  const t = transformFor([
    { path: '/etc/prometheus/config', localPath: '/tmp/p/config' },
    { path: '/prometheus', localPath: '/tmp/p/data' },
  ]);
  const promPort = localCluster.pods.find((p) => p.name === 'prometheus-0')!.containers[0].ports[0].port;
  expect(localArgs(args, t, { 'web.listen-address': `127.0.0.1:${promPort}` }, 'prometheus args')).toEqual([
    '--config.file=/tmp/p/config/prometheus.yml',
    '--storage.tsdb.path=/tmp/p/data',
    '--storage.tsdb.retention.time=3d',
    '--storage.tsdb.retention.size=4GB',
    `--web.listen-address=127.0.0.1:${promPort}`,
    `--web.external-url=http://127.0.0.1:${promPort}`,
  ]);
  expect(() => localArgs(args, t, { 'web.listen-addr': '127.0.0.1:1' }, 'prometheus args')).toThrow('prometheus args: listen flag(s) web.listen-addr not among the generated args');
});

test('every pod of the stack that asks to be scraped is a target of the generated pods job after the transform', () => {
  const input = configMap('prometheus-config', 'prometheus.yml') as PrometheusConfigInput;
  const out = localPrometheusConfig(input, transformFor([])) as unknown as { scrape_configs: { static_configs: { labels: Record<string, string> }[] }[] };
  const scraped = localCluster.pods.filter((p) => p.annotations['prometheus.io/scrape'] === 'true').map((p) => p.name);
  const offered = new Set(out.scrape_configs[0].static_configs.filter((g) => g.labels.__meta_kubernetes_pod_annotation_prometheus_io_scrape === 'true').map((g) => g.labels.__meta_kubernetes_pod_name));
  expect([...offered].sort()).toEqual([...new Set(scraped)].sort());
  expect(offered.has(`${ComponentName.FL_CLIENT}-1`)).toBe(true);
});

// ---------------------------------------------------------------------------------------------
// The production replicas: two Prometheus and three clustered Alertmanager peers (test/live/ha.test.ts).

const production = resolveConfig({ profile: 'production', overrides: { gpu: { enabled: false }, dcgmExporter: { enabled: false }, fluentd: { enabled: false } } });
const productionObjects = synthStack(production) as ManifestObject[];
const productionCluster: LocalCluster = {
  pods: productionObjects.filter(isWorkload).flatMap((w) => localPods(w, { nodeName: 'local-node', portFor: () => next++ })),
  services: productionObjects.filter((o) => o.kind === 'Service').map(localService),
};
const portOf = (podName: string, containerPort: number): number =>
  productionCluster.pods.find((p) => p.name === podName)!.containers.flatMap((c) => c.ports).find((p) => p.containerPort === containerPort)!.port;

test('pod DNS names of a headless Service map to each pod; a ClusterIP Service gives none', () => {
  const addresses = serviceAddresses(productionCluster);
  const ns = production.namespaces.monitoring;
  for (const i of [0, 1, 2]) {
    expect(localAddress(`alertmanager-${i}.alertmanager-headless.${ns}.svc:9094`, addresses, 'x')).toBe(`127.0.0.1:${portOf(`alertmanager-${i}`, 9094)}`);
    expect(localAddress(`alertmanager-${i}.alertmanager-headless.${ns}.svc.cluster.local:9093`, addresses, 'x')).toBe(`127.0.0.1:${portOf(`alertmanager-${i}`, 9093)}`);
  }
  // The Service name itself still reaches the first backing pod.
  expect(localAddress(`http://alertmanager.${ns}.svc:9093`, addresses, 'x')).toBe(`http://127.0.0.1:${portOf('alertmanager-0', 9093)}`);
  // Pods have no DNS name under the ClusterIP Service, nor under another StatefulSet's headless Service.
  expect(() => localAddress(`alertmanager-1.alertmanager.${ns}.svc:9093`, addresses, 'x')).toThrow('names a Service that does not run locally');
  expect(() => localAddress(`alertmanager-1.prometheus-headless.${ns}.svc:9090`, addresses, 'x')).toThrow('names a Service that does not run locally');
  expect(() => localAddress(`alertmanager-3.alertmanager-headless.${ns}.svc:9094`, addresses, 'x')).toThrow('names a Service that does not run locally');
  // Only headless Services make pod names (the subdomain alone does not).
  const clusterIp = { ...productionCluster, services: productionCluster.services.map((s) => ({ ...s, headless: false })) };
  expect(serviceAddresses(clusterIp).has(`alertmanager-1.alertmanager-headless.${ns}.svc:9094`)).toBe(false);
});

test('clustered Alertmanager flags: the gossip listener on loopback, each peer at its pod; a single replica stays unclustered', () => {
  const am = productionObjects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alertmanager')!;
  const args = containerOf(am, 'alertmanager').args!;
  const t: LocalTransform = { cluster: productionCluster, mounts: [] };
  const listen = { 'web.listen-address': `127.0.0.1:${portOf('alertmanager-1', 9093)}`, 'cluster.listen-address': `127.0.0.1:${portOf('alertmanager-1', 9094)}` };
  const local = localArgs(args, t, listen, 'alertmanager-1 args');
  expect(local.filter((a) => a.startsWith('--cluster.'))).toEqual([
    `--cluster.listen-address=127.0.0.1:${portOf('alertmanager-1', 9094)}`,
    ...[0, 1, 2].map((i) => `--cluster.peer=127.0.0.1:${portOf(`alertmanager-${i}`, 9094)}`),
  ]);
  // minikube: one replica, gossip off (an empty listen address), kept off.
  const single = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alertmanager')!;
  const singleArgs = containerOf(single, 'alertmanager').args!;
  expect(singleArgs).toContain('--cluster.listen-address=');
  expect(localArgs(singleArgs, transformFor([]), { 'web.listen-address': '127.0.0.1:1', 'cluster.listen-address': '127.0.0.1:2' }, 'am args')).toContain('--cluster.listen-address=');
});

test('each Prometheus replica sends alerts to every Alertmanager peer; only the replica label is dropped on the write path', () => {
  const text = productionObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config')!.data!['prometheus.yml'];
  const doc = parse(text) as PrometheusConfigInput & { alerting: { alertmanagers: { relabel_configs: unknown[] }[] } };
  const out = localPrometheusConfig(doc, { cluster: productionCluster, mounts: [], variables: { POD_NAME: 'prometheus-1' } }) as unknown as {
    alerting: { alertmanagers: { static_configs: { targets: string[]; labels: Record<string, string> }[]; relabel_configs: unknown[] }[] };
    remote_write: { write_relabel_configs: unknown[] }[];
    global: { external_labels: Record<string, string> };
  };
  // Discovery offers every endpoint of the namespace; the generated relabelling keeps the
  // alertmanager Service's http port: one target per peer.
  const kept = out.alerting.alertmanagers[0].static_configs.filter(
    (g) => g.labels.__meta_kubernetes_service_name === 'alertmanager' && g.labels.__meta_kubernetes_endpoint_port_name === 'http',
  );
  expect(kept.map((g) => g.targets[0]).sort()).toEqual([0, 1, 2].map((i) => `127.0.0.1:${portOf(`alertmanager-${i}`, 9093)}`).sort());
  expect(out.alerting.alertmanagers[0].relabel_configs).toEqual(doc.alerting.alertmanagers[0].relabel_configs);
  // The external label is left for Prometheus to expand from POD_NAME; the write path drops it.
  expect(out.global.external_labels.prometheus_replica).toBe('${POD_NAME}');
  expect(out.remote_write[0].write_relabel_configs).toEqual([{ regex: 'prometheus_replica', action: 'labeldrop' }]);
});

test('StatefulSet pods carry the hostname and subdomain of their DNS names; headless Services say so', () => {
  const pods = productionCluster.pods.filter((p) => p.labels['app.kubernetes.io/name'] === ComponentName.ALERTMANAGER);
  expect(pods.map((p) => [p.name, p.hostname, p.subdomain])).toEqual([0, 1, 2].map((i) => [`alertmanager-${i}`, `alertmanager-${i}`, 'alertmanager-headless']));
  expect(productionCluster.services.filter((s) => s.headless === true).map((s) => s.name)).toContain('alertmanager-headless');
  expect(productionCluster.services.find((s) => s.name === 'alertmanager')!.headless).toBeUndefined();
});
