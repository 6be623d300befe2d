import { ConfigError, resolveConfig } from '../../src/config/loader';

/**
 * The corpus of invalid configurations: each names the field path and the value in its error.
 * [description, overrides, expected problem line]
 */
const INVALID: [string, Record<string, unknown>, string][] = [
  ['unknown top-level field', { prometeus: {} }, 'prometeus: unknown field (got {})'],
  ['unknown nested field', { prometheus: { retension: '3d' } }, 'prometheus.retension: unknown field (got "3d")'],
  ['wrong type', { prometheus: { replicas: 'two' } }, 'prometheus.replicas: Invalid input: expected number, received string (got "two")'],
  ['negative size', { prometheus: { storage: { size: '-5Gi' } } }, 'prometheus.storage.size: must be a positive size in Ki, Mi, Gi or Ti, such as 512Mi (got "-5Gi")'],
  ['zero size', { loki: { storage: { size: '0Gi' } } }, 'loki.storage.size: must be greater than zero (got "0Gi")'],
  ['decimal size unit', { loki: { storage: { size: '5GB' } } }, 'loki.storage.size: must be a positive size in Ki, Mi, Gi or Ti, such as 512Mi (got "5GB")'],
  ['invalid duration', { prometheus: { retention: '3 days' } }, 'prometheus.retention: must be a positive duration such as 30s, 5m, 15d (got "3 days")'],
  ['zero duration', { scrapeInterval: '0s' }, 'scrapeInterval: must be a positive duration such as 30s, 5m, 15d (got "0s")'],
  ['duration units out of order', { loki: { retention: '5m1h' } }, 'loki.retention: must be a positive duration such as 30s, 5m, 15d (got "5m1h")'],
  ['latest image', { grafana: { image: 'grafana/grafana:latest' } }, 'grafana.image: must be pinned: the tag latest is not allowed (got "grafana/grafana:latest")'],
  ['untagged image', { loki: { image: 'grafana/loki' } }, 'loki.image: must be an image reference repository:tag or repository@sha256:digest (got "grafana/loki")'],
  ['malformed image', { fl: { server: { image: 'Bad Image:1' } } }, 'fl.server.image: must be an image reference repository:tag or repository@sha256:digest (got "Bad Image:1")'],
  ['zero clients', { fl: { numClients: 0 } }, 'fl.numClients: Too small: expected number to be >=1 (got 0)'],
  ['fractional clients', { fl: { numClients: 2.5 } }, 'fl.numClients: Invalid input: expected int, received number (got 2.5)'],
  ['zero rounds', { fl: { rounds: 0 } }, 'fl.rounds: Too small: expected number to be >=1 (got 0)'],
  ['round timeout without a unit', { fl: { roundTimeout: '120' } }, 'fl.roundTimeout: must be a positive duration such as 30s, 5m, 15d (got "120")'],
  ['unknown strategy', { fl: { strategy: 'fedsgd' } }, 'fl.strategy: Invalid option: expected one of "fedavg"|"fedprox"|"fedadam" (got "fedsgd")'],
  ['minClients above numClients', { fl: { numClients: 2, minClients: 3 } }, 'fl.minClients: minClients 3 exceeds numClients 2 (got 3)'],
  ['bad cpu', { prometheus: { resources: { requests: { cpu: '1.2345' } } } }, 'prometheus.resources.requests.cpu: must be a CPU quantity such as 100m or 0.5 (got "1.2345")'],
  ['zero cpu', { loki: { resources: { requests: { cpu: '0m' } } } }, 'loki.resources.requests.cpu: must be greater than zero (got "0m")'],
  ['limit below request', { grafana: { resources: { limits: { memory: '64Mi' } } } }, 'grafana.resources.limits.memory: limit 64Mi is below the request 192Mi (got "64Mi")'],
  ['cpu limit below request', { prometheus: { resources: { limits: { cpu: '100m' } } } }, 'prometheus.resources.limits.cpu: limit 100m is below the request 200m (got "100m")'],
  ['bad namespace name', { namespaces: { monitoring: 'Monitoring' } }, 'namespaces.monitoring: must be a lowercase RFC 1123 name (got "Monitoring")'],
  ['duplicate namespaces', { namespaces: { agents: 'fl-monitoring' } }, "namespaces.agents: namespace 'fl-monitoring' is used twice; each namespace must be distinct (got \"fl-monitoring\")"],
  [
    'duplicate receiver names',
    { alertmanager: { receivers: [{ name: 'a', type: 'webhook', url: { name: 's', key: 'k' } }, { name: 'a', type: 'webhook', url: { name: 's', key: 'k' } }] } },
    "alertmanager.receivers.1.name: duplicate receiver name 'a' (got \"a\")",
  ],
  ['route to a missing receiver', { alertmanager: { routes: { critical: 'pager' } } }, "alertmanager.routes.critical: names receiver 'pager', which is not in alertmanager.receivers (got \"pager\")"],
  ['inline webhook url instead of a Secret reference', { alertmanager: { receivers: [{ name: 'a', type: 'webhook', url: 'https://hooks.example.com/x' }] } }, 'alertmanager.receivers.0.url: Invalid input: expected object, received string (got "<redacted: may be a secret>")'],
  ['unknown receiver type', { alertmanager: { receivers: [{ name: 'a', type: 'pigeon' }] } }, "alertmanager.receivers.0.type: Invalid discriminator value. Expected 'webhook' | 'slack' | 'email' | 'pagerduty' | 'opsgenie' | 'msteams' (got \"pigeon\")"],
  ['PagerDuty routing key inline', { alertmanager: { receivers: [{ name: 'a', type: 'pagerduty', routingKey: 'abc' }] } }, 'alertmanager.receivers.0.routingKey: Invalid input: expected object, received string (got "<redacted: may be a secret>")'],
  ['bad email address', { alertmanager: { receivers: [{ name: 'm', type: 'email', to: 'nobody', from: 'a@b.c', smarthost: 'smtp:25', authUsername: 'u', authPassword: { name: 's', key: 'k' } }] } }, 'alertmanager.receivers.0.to: Invalid email address (got "nobody")'],
  ['accuracy threshold out of range', { thresholds: { accuracyMin: 1.5 } }, 'thresholds.accuracyMin: Too big: expected number to be <1 (got 1.5)'],
  ['dcgm without gpu', { dcgmExporter: { enabled: true } }, 'dcgmExporter.enabled: dcgmExporter.enabled is true but gpu.enabled is false (got true)'],
  ['evaluation faster than scraping', { evaluationInterval: '10s' }, 'evaluationInterval: evaluationInterval 10s is shorter than scrapeInterval 30s (got "10s")'],
  ['bad toleration effect', { gpu: { tolerations: [{ key: 'k', operator: 'Exists', effect: 'Sometimes' }] } }, 'gpu.tolerations.0.effect: Invalid option: expected one of "NoSchedule"|"PreferNoSchedule"|"NoExecute" (got "Sometimes")'],
  ['replicas above the maximum', { alertmanager: { replicas: 50 } }, 'alertmanager.replicas: Too big: expected number to be <=10 (got 50)'],
  ['enabled as a string', { loki: { enabled: 'yes' } }, 'loki.enabled: Invalid input: expected boolean, received string (got "yes")'],
  ['two node log agents', { promtail: { enabled: true } }, 'promtail.enabled: promtail.enabled and otelCollector.enabled are both true: every pod log would be shipped twice; enable one node log agent (got true)'],
  ['zero collector queue', { otelCollector: { queueSize: 0 } }, 'otelCollector.queueSize: Too small: expected number to be >=1 (got 0)'],
  ['fractional collector queue', { otelCollector: { queueSize: 10.5 } }, 'otelCollector.queueSize: Invalid input: expected int, received number (got 10.5)'],
  ['collector memory limit below request', { otelCollector: { resources: { limits: { memory: '32Mi' } } } }, 'otelCollector.resources.limits.memory: limit 32Mi is below the request 96Mi (got "32Mi")'],
  ['log queue threshold of 1', { thresholds: { logQueueUtilization: 1 } }, 'thresholds.logQueueUtilization: Too big: expected number to be <1 (got 1)'],
  ['round-duration threshold the buckets cannot measure', { thresholds: { roundDurationP95Seconds: 300 } }, 'thresholds.roundDurationP95Seconds: thresholds.roundDurationP95Seconds 300 is not below 240, the top bucket of fl_round_duration_seconds (2 × fl.roundTimeout 2m): the p95 can never exceed it (got 300)'],
  ['dead man\'s switch to a missing receiver', { alertmanager: { deadMansSwitch: 'dms' } }, "alertmanager.deadMansSwitch: deadMansSwitch names receiver 'dms', which is not in alertmanager.receivers (got \"dms\")"],
  ['team route to a missing receiver', { alertmanager: { teamRoutes: [{ team: 'ml', receiver: 'ml-pager' }] } }, "alertmanager.teamRoutes.0.receiver: team ml names receiver 'ml-pager', which is not in alertmanager.receivers (got \"ml-pager\")"],
  ['runbook base with a placeholder scheme', { runbookBaseUrl: 'ftp://runbooks' }, 'runbookBaseUrl: must be an http(s) URL or a repository-relative path such as docs/runbooks (got "ftp://runbooks")'],
  ['config that is not a mapping', [] as unknown as Record<string, unknown>, '(root): must be a mapping of config fields (got [])'],
];

test.each(INVALID)('refuses %s', (_name, overrides, expected) => {
  let error: unknown;
  try {
    resolveConfig({ overrides });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const lines = (error as ConfigError).problems.map((p) => `${p.path}: ${p.message} (got ${p.value === undefined ? 'nothing' : JSON.stringify(p.value)})`);
  expect(lines).toContain(expected);
});

test('the invalid corpus has at least 30 cases', () => {
  expect(INVALID.length).toBeGreaterThanOrEqual(30);
});

test('both profiles are valid as they are', () => {
  expect(() => resolveConfig({ profile: 'minikube' })).not.toThrow();
  expect(() => resolveConfig({ profile: 'production' })).not.toThrow();
});
