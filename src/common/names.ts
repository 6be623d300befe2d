/** The `app.kubernetes.io/name` of every component: the one list the stack, tests and rules share. */
export enum ComponentName {
  FL_SERVER = 'fl-server',
  FL_CLIENT = 'fl-client',
  PROMETHEUS = 'prometheus',
  GRAFANA = 'grafana',
  LOKI = 'loki',
  PROMTAIL = 'promtail',
  ALERTMANAGER = 'alertmanager',
  VICTORIA_METRICS = 'victoria-metrics',
  DCGM_EXPORTER = 'dcgm-exporter',
  FLUENTD = 'fluentd',
  NODE_EXPORTER = 'node-exporter',
  KUBE_STATE_METRICS = 'kube-state-metrics',
  OTEL_COLLECTOR = 'otel-collector',
}

/** The kinds of workload the stack deploys (`apps/v1`). */
export enum WorkloadKind {
  DEPLOYMENT = 'Deployment',
  STATEFUL_SET = 'StatefulSet',
  DAEMON_SET = 'DaemonSet',
}

/**
 * Every {@link WorkloadKind}, for membership tests on a manifest's `kind`: the one set of workload
 * kinds (synth summary, Pulumi apply order, health, the live harness). A new pod-running kind (a Job)
 * is added to the enum, with its pod template in common/manifest.ts.
 */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(Object.values(WorkloadKind));

/** `app.kubernetes.io/component` values. */
export enum ComponentRole {
  TRAINING = 'training',
  METRICS = 'metrics',
  METRICS_STORAGE = 'metrics-storage',
  ALERTING = 'alerting',
  VISUALIZATION = 'visualization',
  LOGS = 'logs',
  LOG_AGENT = 'log-agent',
  EXPORTER = 'exporter',
}

export const PART_OF = 'fl-observability';

/** Well-known ports (upstream defaults), named once. */
export const Ports = {
  prometheus: 9090,
  alertmanager: 9093,
  alertmanagerCluster: 9094,
  grafana: 3000,
  loki: 3100,
  lokiGrpc: 9095,
  promtail: 9080,
  /** OpenTelemetry Collector: its own metrics (internal telemetry, Prometheus pull reader). */
  otelCollectorMetrics: 8888,
  /** OpenTelemetry Collector: the `health_check` extension. */
  otelCollectorHealth: 13133,
  victoriaMetrics: 8428,
  dcgmExporter: 9400,
  fluentdMetrics: 24231,
  nodeExporter: 9100,
  kubeStateMetrics: 8080,
  kubeStateMetricsTelemetry: 8081,
  flMetrics: 8081,
  /** Flower SuperLink: Fleet API, which SuperNodes (clients) connect to. */
  flFleet: 9092,
  /** Flower SuperLink: ServerAppIo API. */
  flServerAppIo: 9091,
  /** Flower SuperLink: Control API, which `flwr run` uses. */
  flControl: 9093,
} as const;

/** Annotations that opt a pod into Prometheus scraping (the `kubernetes-pods` job). */
export const ScrapeAnnotations = {
  scrape: 'prometheus.io/scrape',
  port: 'prometheus.io/port',
  path: 'prometheus.io/path',
  /** Keep the exporter's own namespace/pod labels (kube-state-metrics, dcgm-exporter describe other pods). */
  honorLabels: 'fl-observability.io/honor-labels',
} as const;
