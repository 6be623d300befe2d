import { nodeAgentSkippedNamespaces } from '../../../src/common/log-routing';
import { LOG_STREAM_LABELS } from '../../../src/common/labels';
import {
  OTEL_STATE_DIR,
  OtelComponent,
  otelCollectorConfig,
  otelJsonNamespaces,
} from '../../../src/components/otel-collector/config';
import { promtailConfig } from '../../../src/components/promtail/config';
import { stackTopology } from '../../../src/component-list';
import { resolveConfig } from '../../../src/config/loader';

type Operator = { type: string; id: string; if?: string; from?: string; to?: string; field?: string; value?: string };
type Doc = Record<string, any>;
const build = (overrides: Record<string, unknown> = {}): Doc => {
  const config = resolveConfig({ overrides });
  return otelCollectorConfig(config, stackTopology(config));
};
const receiver = (doc: Doc): Doc => doc.receivers[OtelComponent.receiver];
const ops = (doc: Doc): Operator[] => receiver(doc).operators;
const FORWARD = { fluentd: { output: { type: 'forward', host: 'aggregator', port: 24224 } } };

test('tails every pod log on the node, resuming from file_storage on a host path', () => {
  const doc = build();
  expect(receiver(doc)).toMatchObject({ include: ['/var/log/pods/*/*/*.log'], start_at: 'beginning', include_file_path: true, storage: OtelComponent.storage });
  expect(doc.extensions[OtelComponent.storage]).toEqual({ directory: OTEL_STATE_DIR, create_directory: true });
  expect(doc.exporters[OtelComponent.exporter].sending_queue).toMatchObject({ enabled: true, storage: OtelComponent.storage, queue_size: 1000 });
});

test('batches in the persistent send queue, with no batch processor holding records in memory (a killed collector resends, never loses)', () => {
  const doc = build();
  expect(doc.processors).not.toHaveProperty('batch');
  expect(doc.exporters[OtelComponent.exporter].sending_queue).toEqual({
    enabled: true,
    sizer: 'requests',
    queue_size: 1000,
    storage: OtelComponent.storage,
    batch: { flush_timeout: '5s', sizer: 'items', min_size: 1024, max_size: 2048 },
  });
});

test('CRI and docker logs: the container operator detects the format and takes the metadata from the path', () => {
  const [first] = ops(build());
  expect(first).toEqual({ type: 'container', id: 'container', add_metadata_from_filepath: true });
  expect(first).not.toHaveProperty('format');
});

test('streams carry the same labels as Promtail sets, under the same names', () => {
  const config = resolveConfig({ overrides: { promtail: { enabled: true }, otelCollector: { enabled: false } } });
  const promtailLabels = (promtailConfig(config, stackTopology(config)) as Doc).scrape_configs[0].relabel_configs
    .map((r: { target_label?: string }) => r.target_label)
    .filter((l: string | undefined) => l !== undefined && !l.startsWith('__'));
  const set = ops(build()).filter((o) => o.type === 'move' || o.type === 'add').map((o) => /^resource\["(.+)"\]$/.exec(o.to ?? o.field ?? '')![1]);
  expect(set).toEqual([...LOG_STREAM_LABELS]);
  // Promtail's `app` comes from the pod's labels, which only the API knows; no query selects on it (the logs dashboard selects on `container`).
  expect(promtailLabels.filter((l: string) => !set.includes(l))).toEqual(['app']);
  const add = (id: string) => ops(build()).find((o) => o.id === id)!.value;
  expect([add('node-attribute'), add('cluster-attribute'), add('agent-attribute')]).toEqual(['EXPR(env("K8S_NODE_NAME"))', 'minikube', 'otel-collector']);
});

test('nothing is shipped twice: the namespaces Fluentd ships to Loki are excluded, and only those', () => {
  expect(receiver(build()).exclude).toEqual(['/var/log/pods/fl-training_*/*/*.log']);
  expect(receiver(build({ fluentd: { enabled: false } }))).not.toHaveProperty('exclude');
  expect(receiver(build(FORWARD))).not.toHaveProperty('exclude');
  expect(receiver(build({ loki: { enabled: false } }))).not.toHaveProperty('exclude');
});

test("the FL namespace's JSON lines are parsed into attributes whenever this agent ships them", () => {
  const json = (doc: Doc) => ops(doc).find((o) => o.type === 'json_parser');
  expect(json(build())).toBeUndefined();
  expect(json(build({ fluentd: { enabled: false } }))).toEqual({
    type: 'json_parser',
    id: 'json-fields',
    if: 'resource["k8s.namespace.name"] in ["fl-training"]',
    parse_from: 'body',
    parse_to: 'attributes',
    on_error: 'send_quiet',
  });
  // Parsed before the namespace attribute is renamed, so the condition still finds it.
  const order = ops(build(FORWARD)).map((o) => o.id);
  expect(order.indexOf('json-fields')).toBeLessThan(order.indexOf('namespace-attribute'));
  const custom = resolveConfig({ overrides: { namespaces: { training: 'fl-jobs' }, fluentd: { enabled: false } } });
  expect([otelJsonNamespaces(custom), nodeAgentSkippedNamespaces(custom)]).toEqual([['fl-jobs'], []]);
});

test("exports to Loki's OTLP endpoint, from the topology", () => {
  expect(build().exporters[OtelComponent.exporter].endpoint).toBe('http://loki.fl-monitoring.svc:3100/otlp');
  expect(build({ namespaces: { monitoring: 'obs' } }).exporters[OtelComponent.exporter].endpoint).toBe('http://loki.obs.svc:3100/otlp');
});

test('one logs pipeline: file_log -> memory_limiter -> otlp_http (batched in its persistent queue); health and own metrics served', () => {
  const { service, extensions } = build();
  expect(service.pipelines).toEqual({ logs: { receivers: ['file_log'], processors: ['memory_limiter'], exporters: ['otlp_http'] } });
  expect(service.extensions).toEqual(['health_check', 'file_storage']);
  expect(extensions.health_check).toEqual({ endpoint: '0.0.0.0:13133' });
  expect(service.telemetry.metrics.readers).toEqual([{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: 8888 } } } }]);
});

test('the queue size comes from the config', () => {
  expect(build({ otelCollector: { queueSize: 64 } }).exporters.otlp_http.sending_queue.queue_size).toBe(64);
});
