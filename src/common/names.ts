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
  /** MLflow tracking server: one run per federation (params, per-round metrics, checkpoints). */
  MLFLOW = 'mlflow',
  /** A site's metrics agent (site profile): scrapes the site, remote-writes to the central store. */
  VMAGENT = 'vmagent',
  /** Thanos Receive: the central remote-write endpoint, a hashring of replicas (longTermStore: thanos). */
  THANOS_RECEIVE = 'thanos-receive',
  /** Thanos Query: PromQL over Receive and the Store Gateway, deduplicating replicas. */
  THANOS_QUERY = 'thanos-query',
  /** Thanos Store Gateway: serves the blocks in object storage. */
  THANOS_STORE = 'thanos-store',
  /** Thanos Compactor: compacts, downsamples and applies retention in object storage. */
  THANOS_COMPACT = 'thanos-compact',
  /** Thanos Rule: evaluates the federation's rules (every site's series) over Thanos Query. */
  THANOS_RULE = 'thanos-rule',
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
  METRICS_AGENT = 'metrics-agent',
  ALERTING = 'alerting',
  VISUALIZATION = 'visualization',
  LOGS = 'logs',
  LOG_AGENT = 'log-agent',
  EXPERIMENT_TRACKING = 'experiment-tracking',
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
  /** MLflow tracking server: REST API, UI, artifact proxy and /metrics. */
  mlflow: 5000,
  /** vmagent: its HTTP API (metrics, health). */
  vmagent: 8429,
  /** Thanos components: HTTP (metrics, health, the Query API and UI). */
  thanosHttp: 10902,
  /** Thanos components: the gRPC Store API (and Receive's replication between replicas). */
  thanosGrpc: 10901,
  /** Thanos Receive: the remote-write endpoint. */
  thanosRemoteWrite: 19291,
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

/** Annotations that opt a pod (the `kubernetes-pods` job) or a Service (`kubernetes-service-endpoints`) into Prometheus scraping. */
export const ScrapeAnnotations = {
  scrape: 'prometheus.io/scrape',
  port: 'prometheus.io/port',
  path: 'prometheus.io/path',
  /** `http` or `https`. */
  scheme: 'prometheus.io/scheme',
  /** Keep the exporter's own namespace/pod labels (kube-state-metrics, dcgm-exporter describe other pods). */
  honorLabels: 'fl-observability.io/honor-labels',
  /** Served over HTTPS with the stack's web certificate: scraped by a job that verifies it (`webTls`). */
  webTls: 'fl-observability.io/web-tls',
} as const;
