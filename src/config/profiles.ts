import { type ConfigOverlay, type Profile, type Resources, type StackConfig, StackMode } from './schema';

function res(cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources {
  return { requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/**
 * The defaults: a complete config, sized for a 2-CPU minikube. The minikube profile is these
 * defaults as they are; other profiles are overlays on top of them.
 */
export const DEFAULTS: StackConfig = {
  profile: 'minikube',
  clusterName: 'minikube',
  mode: StackMode.STANDALONE,
  // kube-prometheus-stack's defaults: its Prometheus selects `release: <release name>`, its Grafana
  // sidecar loads ConfigMaps labelled grafana_dashboard=1; both run in the release's namespace.
  operator: {
    monitorLabels: { release: 'kube-prometheus-stack' },
    ruleLabels: { release: 'kube-prometheus-stack' },
    dashboards: { label: 'grafana_dashboard', labelValue: '1' },
    prometheus: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    grafana: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'grafana' } },
    provides: { nodeExporter: true, kubeStateMetrics: true },
  },
  namespaces: { monitoring: 'fl-monitoring', agents: 'fl-agents', training: 'fl-training' },
  scrapeInterval: '30s',
  evaluationInterval: '30s',
  // The generated runbook pages, relative to the repository; set an http(s) URL where they are served.
  runbookBaseUrl: 'docs/runbooks',
  extensions: { ruleFiles: [], dashboards: [] },
  // ingress-nginx's controller pods (minikube's ingress addon runs it in ingress-nginx).
  ingress: { enabled: false, className: 'nginx', tlsSecret: 'fl-ui-tls', controller: { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }, hosts: {} },
  networkPolicies: { apiServerCidrs: [] },
  webTls: { enabled: false, secret: 'fl-web-tls' },
  prometheus: {
    enabled: true,
    replicas: 1,
    resources: res('200m', '512Mi', '1', '1Gi'),
    storage: { size: '5Gi' },
    retention: '3d',
    retentionSize: '4Gi',
    onboardedNamespaces: [],
    // The stack's own long-term store; add `type: url` entries to write to a central one as well.
    remoteWrite: [{ type: 'victoriaMetrics' }],
    externalScrapeJobs: [],
  },
  alertmanager: {
    enabled: true,
    replicas: 1,
    resources: res('20m', '48Mi', '200m', '128Mi'),
    storage: { size: '1Gi' },
    receivers: [],
    routes: { critical: null, warning: null, info: null },
    teamRoutes: [],
    deadMansSwitch: null,
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '4h',
  },
  grafana: {
    enabled: true,
    resources: res('100m', '192Mi', '500m', '384Mi'),
    storage: { size: '1Gi' },
    adminSecret: { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
    allowEmbedding: false,
  },
  loki: { enabled: true, resources: res('100m', '256Mi', '500m', '512Mi'), storage: { size: '5Gi' }, retention: '3d' },
  // Promtail reached end-of-life: the OpenTelemetry Collector is the node log agent.
  promtail: { enabled: false, resources: res('40m', '64Mi', '200m', '128Mi') },
  otelCollector: { enabled: true, resources: res('40m', '96Mi', '200m', '192Mi'), queueSize: 1000 },
  fluentd: { enabled: true, resources: res('50m', '160Mi', '300m', '320Mi'), output: { type: 'loki' } },
  victoriaMetrics: { enabled: true, resources: res('100m', '256Mi', '500m', '512Mi'), storage: { size: '5Gi' }, retention: '30d' },
  // The site agent: off except in the site profile, which also names the central URL.
  vmagent: {
    enabled: false,
    // Beside an FL client on a small node: a site's few thousand series need well under 100 MiB.
    resources: res('50m', '64Mi', '500m', '256Mi'),
    storage: { size: '2Gi' },
    maxDiskUsage: '1536Mi',
    remoteWrite: { auth: { type: 'none' }, tenantHeader: 'THANOS-TENANT' },
  },
  // The central long-term store: off except in the central profile (VictoriaMetrics is the default).
  thanos: {
    enabled: false,
    objectStorage: { name: 'thanos-objstore', key: 'objstore.yml' },
    receive: {
      replicas: 3,
      replicationFactor: 2,
      resources: res('200m', '512Mi', '1', '1Gi'),
      storage: { size: '10Gi' },
      retention: '1d',
      tlsSecret: 'thanos-receive-tls',
    },
    query: { replicas: 1, resources: res('100m', '256Mi', '1', '1Gi') },
    store: { resources: res('100m', '256Mi', '1', '1Gi'), storage: { size: '5Gi' } },
    rule: { resources: res('50m', '128Mi', '500m', '512Mi'), storage: { size: '2Gi' } },
    compact: { resources: res('100m', '256Mi', '1', '1Gi'), storage: { size: '10Gi' }, retention: { raw: '30d', fiveMinutes: '90d', oneHour: '1y' } },
  },
  dcgmExporter: { enabled: false, resources: res('50m', '128Mi', '200m', '256Mi') },
  nodeExporter: { enabled: true, resources: res('20m', '32Mi', '200m', '64Mi') },
  kubeStateMetrics: { enabled: true, resources: res('20m', '64Mi', '200m', '128Mi') },
  // Experiment tracking: off on minikube (the stack's budget stays 0.65 CPU / 1.55 GiB), on in production.
  mlflow: {
    enabled: false,
    // The `mlflow server` process and one uvicorn worker hold about 500 MiB.
    resources: res('100m', '512Mi', '1', '1Gi'),
    storage: { size: '5Gi' },
    workers: 1,
    backendStore: { type: 'sqlite' },
    artifacts: { type: 'volume' },
    experimentName: 'fl-training',
    // `kubectl port-forward svc/mlflow 5000:5000`
    url: 'http://localhost:5000',
    checkpointEveryRounds: 0,
  },
  fl: {
    enabled: true,
    numClients: 2,
    minClients: 2,
    rounds: 10,
    strategy: 'fedavg',
    roundFailurePolicy: 'continue',
    roundTimeout: '2m',
    modelName: 'logreg',
    server: { resources: res('100m', '256Mi', '500m', '512Mi') },
    client: { resources: res('100m', '256Mi', '500m', '512Mi') },
  },
  gpu: {
    enabled: false,
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  },
  thresholds: {
    accuracyMin: 0.5,
    trainingStalledFor: '10m',
    gpuTemperatureCelsius: 85,
    gpuIdleUtilizationPercent: 10,
    nodeCpuUtilization: 0.9,
    nodeMemoryUtilization: 0.9,
    nodeDiskUtilization: 0.85,
    logQueueUtilization: 0.8,
    gpuMemoryUtilization: 0.95,
    volumeFreeRatio: 0.1,
    volumeFullWithin: '4h',
    remoteWriteBehind: '2m',
    mlflowErrorRatio: 0.05,
    mlflowLatencyP99Seconds: 2,
  },
};

/** The production overlay: HA, larger volumes and retention, GPUs. */
const PRODUCTION: ConfigOverlay = {
  profile: 'production',
  clusterName: 'production',
  prometheus: {
    replicas: 2,
    resources: res('1', '4Gi', '2', '8Gi'),
    storage: { size: '100Gi' },
    retention: '15d',
    retentionSize: '90Gi',
  },
  alertmanager: {
    replicas: 3,
    resources: res('50m', '128Mi', '500m', '256Mi'),
    storage: { size: '2Gi' },
    receivers: [{ name: 'oncall', type: 'webhook', url: { name: 'alertmanager-receivers', key: 'oncall-webhook-url' } }],
    routes: { critical: 'oncall', warning: 'oncall', info: null },
  },
  grafana: { resources: res('200m', '512Mi', '1', '1Gi'), storage: { size: '10Gi' } },
  loki: { resources: res('500m', '1Gi', '2', '4Gi'), storage: { size: '100Gi' }, retention: '30d' },
  promtail: { resources: res('100m', '128Mi', '500m', '256Mi') },
  otelCollector: { resources: res('100m', '192Mi', '500m', '384Mi') },
  fluentd: { resources: res('100m', '256Mi', '500m', '512Mi') },
  victoriaMetrics: { resources: res('500m', '2Gi', '2', '4Gi'), storage: { size: '200Gi' }, retention: '180d' },
  dcgmExporter: { enabled: true },
  kubeStateMetrics: { resources: res('100m', '256Mi', '500m', '512Mi') },
  mlflow: { enabled: true, resources: res('250m', '1Gi', '2', '2Gi'), storage: { size: '50Gi' }, workers: 2 },
  fl: {
    numClients: 10,
    minClients: 8,
    rounds: 100,
    // Real models on GPUs: a fit takes minutes, not milliseconds.
    roundTimeout: '10m',
    server: { resources: res('1', '2Gi', '2', '4Gi') },
    client: { resources: res('1', '2Gi', '2', '4Gi') },
  },
  gpu: { enabled: true },
};

/**
 * One FL site of a cross-silo federation: its FL workload, node, object-state and GPU exporters, and
 * vmagent shipping their metrics (with a `site` label) to the central store over mutual TLS. No
 * Prometheus, Alertmanager, Grafana, Loki or VictoriaMetrics; no log shipping (client logs may carry
 * data the site may not export). A config file sets `vmagent.remoteWrite.url` (and `vmagent.site`,
 * else the clusterName is the site).
 */
const SITE: ConfigOverlay = {
  profile: 'site',
  clusterName: 'site',
  prometheus: { enabled: false },
  alertmanager: { enabled: false },
  grafana: { enabled: false },
  loki: { enabled: false },
  otelCollector: { enabled: false },
  fluentd: { enabled: false },
  victoriaMetrics: { enabled: false },
  vmagent: {
    enabled: true,
    remoteWrite: {
      auth: { type: 'clientCertificate', secret: 'vmagent-client-tls' },
      tls: { ca: { name: 'vmagent-client-tls', key: 'ca.crt' } },
    },
  },
};

/**
 * The central cluster of a cross-silo federation: production, with Thanos (Receive hashring, Query,
 * Store Gateway, Compactor over object storage, Rule for the federation's alerts) as the long-term
 * store in VictoriaMetrics's place.
 */
const CENTRAL: ConfigOverlay = {
  ...PRODUCTION,
  profile: 'central',
  clusterName: 'central',
  victoriaMetrics: { enabled: false },
  thanos: {
    enabled: true,
    receive: { resources: res('500m', '2Gi', '2', '4Gi'), storage: { size: '50Gi' }, retention: '2d' },
    query: { replicas: 2, resources: res('200m', '512Mi', '2', '2Gi') },
    store: { resources: res('200m', '1Gi', '2', '2Gi'), storage: { size: '20Gi' } },
    compact: { resources: res('500m', '1Gi', '2', '4Gi'), storage: { size: '100Gi' }, retention: { raw: '30d', fiveMinutes: '180d', oneHour: '2y' } },
  },
};

/** Overlays per profile, applied on DEFAULTS before a config file's own values. */
export const PROFILE_OVERLAYS: Readonly<Record<Profile, ConfigOverlay>> = {
  minikube: {},
  production: PRODUCTION,
  site: SITE,
  central: CENTRAL,
};

/**
 * Overlays per mode, applied after the profile's and before a config file's own values. In operator
 * mode the cluster's prometheus-operator stack runs Prometheus, Alertmanager and Grafana (turning one
 * back on is refused) and, as `operator.provides` says by default, node-exporter and
 * kube-state-metrics; VictoriaMetrics is off: nothing of the stack writes to it (on, it is a
 * remote_write target for the cluster's Prometheus).
 */
export const MODE_OVERLAYS: Readonly<Record<StackMode, ConfigOverlay>> = {
  [StackMode.STANDALONE]: {},
  [StackMode.OPERATOR]: {
    prometheus: { enabled: false },
    alertmanager: { enabled: false },
    grafana: { enabled: false },
    victoriaMetrics: { enabled: false },
    nodeExporter: { enabled: false },
    kubeStateMetrics: { enabled: false },
  },
};
