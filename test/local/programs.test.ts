import { parse } from 'yaml';
import { ComponentName, Ports } from '../../src/common/names';
import { minikubeFixture, productionFixture } from './fixtures';
import {
  LOCAL_CONFIGS,
  localAlertmanagerConfig,
  localOtelCollectorConfig,
  localPrometheusConfig,
  type OtelCollectorConfigInput,
  type PrometheusConfigInput,
} from './programs';

// ---------------------------------------------------------------------------------------------
// The transform on the configs the stack really generates: only the allowed keys change.

const { configMap, localCluster, transformFor } = minikubeFixture();

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
    'scrape_configs[2].kubernetes_sd_configs',
    'scrape_configs[2].static_configs',
    'scrape_configs[3].authorization.credentials_file',
    'scrape_configs[3].kubernetes_sd_configs',
    'scrape_configs[3].static_configs',
    'scrape_configs[3].tls_config.ca_file',
    'scrape_configs[4].authorization.credentials_file',
    'scrape_configs[4].kubernetes_sd_configs',
    'scrape_configs[4].static_configs',
    'scrape_configs[4].tls_config.ca_file',
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

const { productionObjects, productionCluster, portOf } = productionFixture();

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

// ---------------------------------------------------------------------------------------------
// The table

test('the table rewrites the config of Prometheus, Alertmanager and the collector, binding the listeners to the pod\'s local ports', () => {
  expect(Object.keys(LOCAL_CONFIGS).sort()).toEqual([ComponentName.ALERTMANAGER, ComponentName.OTEL_COLLECTOR, ComponentName.PROMETHEUS].sort());
  const t = transformFor([]);
  const listen = { host: '127.0.0.1', portOf: (containerPort: number) => 30000 + containerPort };
  const prometheus = configMap('prometheus-config', 'prometheus.yml');
  expect(LOCAL_CONFIGS[ComponentName.PROMETHEUS]!(prometheus, t, listen)).toEqual(localPrometheusConfig(prometheus as PrometheusConfigInput, t));
  const alertmanager = configMap('alertmanager-config', 'alertmanager.yml');
  expect(LOCAL_CONFIGS[ComponentName.ALERTMANAGER]!(alertmanager, t, listen)).toEqual(localAlertmanagerConfig(alertmanager as object, t));
  const collector = configMap('otel-collector-config', 'config.yaml');
  expect(LOCAL_CONFIGS[ComponentName.OTEL_COLLECTOR]!(collector, t, listen)).toEqual(
    localOtelCollectorConfig(collector as OtelCollectorConfigInput, t, { host: '127.0.0.1', healthPort: 30000 + Ports.otelCollectorHealth, metricsPort: 30000 + Ports.otelCollectorMetrics }),
  );
});
