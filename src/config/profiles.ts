import type { ConfigOverlay, Profile, Resources, StackConfig } from './schema';

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
  namespaces: { monitoring: 'fl-monitoring', agents: 'fl-agents', training: 'fl-training' },
  scrapeInterval: '30s',
  evaluationInterval: '30s',
  // The generated runbook pages, relative to the repository; set an http(s) URL where they are served.
  runbookBaseUrl: 'docs/runbooks',
  prometheus: {
    enabled: true,
    replicas: 1,
    resources: res('200m', '512Mi', '1', '1Gi'),
    storage: { size: '5Gi' },
    retention: '3d',
    retentionSize: '4Gi',
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
  dcgmExporter: { enabled: false, resources: res('50m', '128Mi', '200m', '256Mi') },
  nodeExporter: { enabled: true, resources: res('20m', '32Mi', '200m', '64Mi') },
  kubeStateMetrics: { enabled: true, resources: res('20m', '64Mi', '200m', '128Mi') },
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
  },
};

/** Overlays per profile, applied on DEFAULTS before a config file's own values. */
export const PROFILE_OVERLAYS: Readonly<Record<Profile, ConfigOverlay>> = {
  minikube: {},
  production: {
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
  },
};
