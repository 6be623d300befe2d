import type { StackConfig } from '../../config/schema';
import { ComponentName, Ports } from '../../common/names';
import type { LogStreamLabel } from '../../common/labels';
import { nodeLogShipping, POD_LOGS_DIR, type NodeLogShipping } from '../../common/log-agent';
import { endpointUrl, type Topology } from '../../common/topology';
import { nodeAgentSkippedNamespaces } from '../../common/log-routing';

/** Where the collector keeps its file_storage (read checkpoints, persistent send queue): a hostPath, so restarts resume. */
export const OTEL_STATE_DIR = '/var/lib/otelcol';
/** The node name, from the downward API (read by the `add` operator's `env()`). */
export const NODE_NAME_ENV = 'K8S_NODE_NAME';

/**
 * Component ids of the generated config (v0.165 type names: `file_log` and `otlp_http`, whose old
 * spellings `filelog`/`otlphttp` are deprecated aliases). The collector of the tests is built from
 * exactly these components (scripts/tools/tools.json `otelcol`).
 */
export const OtelComponent = {
  receiver: 'file_log',
  memoryLimiter: 'memory_limiter',
  exporter: 'otlp_http',
  health: 'health_check',
  storage: 'file_storage',
} as const;


/** Kubernetes resource attributes the `container` operator derives from a log file's path, and the stream attribute each becomes. */
const FROM_PATH: ReadonlyArray<readonly [string, LogStreamLabel]> = [
  ['k8s.namespace.name', 'namespace'],
  ['k8s.pod.name', 'pod'],
  ['k8s.container.name', 'container'],
];

/** Namespaces whose JSON log lines get their fields parsed into log attributes: the FL namespace, unless Fluentd ships it. */
export function otelJsonNamespaces(config: StackConfig): string[] {
  const skipped = nodeAgentSkippedNamespaces(config);
  return [config.namespaces.training].filter((ns) => !skipped.includes(ns));
}

/** A stanza field of the resource: `resource["k8s.pod.name"]`. */
function resourceField(key: string): string {
  return `resource["${key}"]`;
}

/** The `file_log` operators: CRI/docker parsing with metadata from the path, JSON fields, stream attributes. */
function operators(values: OtelCollectorFileValues): Record<string, unknown>[] {
  const json = values.jsonNamespaces;
  return [
    // No `format`: detected per file (docker, crio or containerd), whatever the node's runtime.
    { type: 'container', id: 'container', add_metadata_from_filepath: true },
    ...(json.length > 0
      ? [{
          type: 'json_parser',
          id: 'json-fields',
          if: `${resourceField('k8s.namespace.name')} in ${JSON.stringify(json)}`,
          parse_from: 'body',
          parse_to: 'attributes',
          // Not every line is JSON (stack traces, library output): those pass unparsed, silently.
          on_error: 'send_quiet',
        }]
      : []),
    ...FROM_PATH.map(([from, to]) => ({ type: 'move', id: `${to}-attribute`, from: resourceField(from), to: resourceField(to) })),
    { type: 'add', id: 'node-attribute', field: resourceField('node'), value: `EXPR(env("${NODE_NAME_ENV}"))` },
    { type: 'add', id: 'cluster-attribute', field: resourceField('cluster'), value: values.shipping.clusterName },
    { type: 'add', id: 'agent-attribute', field: resourceField('agent'), value: ComponentName.OTEL_COLLECTOR },
  ];
}

/** What the collector's config.yaml is rendered from, resolved once. */
export interface OtelCollectorFileValues {
  /** Its slice of the config: the send queue's size. */
  readonly settings: StackConfig['otelCollector'];
  /** Where it ships, and the namespaces it leaves to Fluentd. */
  readonly shipping: NodeLogShipping;
  /** Namespaces whose JSON lines it parses into attributes ({@link otelJsonNamespaces}). */
  readonly jsonNamespaces: readonly string[];
}

/** The {@link OtelCollectorFileValues} of a config. */
export function otelCollectorFileValues(config: StackConfig, topology: Topology): OtelCollectorFileValues {
  return { settings: config.otelCollector, shipping: nodeLogShipping(config, topology), jsonNamespaces: otelJsonNamespaces(config) };
}

/**
 * The collector's config.yaml: tail this node's pod logs, parse them, ship them to Loki's OTLP
 * endpoint; checkpoints and the send queue in file_storage; health and own metrics for the kubelet
 * and Prometheus.
 */
export function otelCollectorFile(values: OtelCollectorFileValues): Record<string, unknown> {
  const skipped = values.shipping.skippedNamespaces;
  const C = OtelComponent;
  return {
    extensions: {
      [C.health]: { endpoint: `0.0.0.0:${Ports.otelCollectorHealth}` },
      // The hostPath mount provides it; creating it when missing keeps the config valid wherever it runs.
      [C.storage]: { directory: OTEL_STATE_DIR, create_directory: true },
    },
    receivers: {
      [C.receiver]: {
        include: [`${POD_LOGS_DIR}/*/*/*.log`],
        ...(skipped.length > 0 ? { exclude: skipped.map((ns) => `${POD_LOGS_DIR}/${ns}_*/*/*.log`) } : {}),
        // From the start of files first seen; afterwards from the checkpoints in file_storage.
        start_at: 'beginning',
        include_file_path: true,
        include_file_name: false,
        storage: C.storage,
        // Back-pressure (memory_limiter refusing, queue full) pauses reading instead of dropping.
        retry_on_failure: { enabled: true },
        operators: operators(values),
      },
    },
    processors: {
      // Percentages of the container's memory limit (read from the cgroup): no size written twice.
      [C.memoryLimiter]: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
    },
    exporters: {
      [C.exporter]: {
        // Loki's native OTLP ingestion; the exporter appends /v1/logs.
        endpoint: endpointUrl(values.shipping.loki, '/otlp'),
        // Batched in the persistent queue, not by a `batch` processor: a record is in file_storage before
        // its line's read position moves on, so a killed collector resends it (at least once) instead of
        // losing what a processor held in memory (the fault suite, test/faults, counts the lines).
        sending_queue: {
          enabled: true,
          sizer: 'requests',
          queue_size: values.settings.queueSize,
          storage: C.storage,
          batch: { flush_timeout: '5s', sizer: 'items', min_size: 1024, max_size: 2048 },
        },
        retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '0s' },
      },
    },
    service: {
      extensions: [C.health, C.storage],
      pipelines: { logs: { receivers: [C.receiver], processors: [C.memoryLimiter], exporters: [C.exporter] } },
      telemetry: {
        logs: { encoding: 'json' },
        metrics: {
          level: 'normal',
          readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: Ports.otelCollectorMetrics } } } }],
        },
      },
    },
  };
}

/** The collector's config.yaml of a whole stack config (the form the tests and the `otelcol validate` check use). */
export function otelCollectorConfig(config: StackConfig, topology: Topology): Record<string, unknown> {
  return otelCollectorFile(otelCollectorFileValues(config, topology));
}
