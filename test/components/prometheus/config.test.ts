import { prometheusConfig, REPLICA_LABEL, RULES_DIR } from '../../../src/components/prometheus/config';
import { stackTopology } from '../../../src/component-list';
import { resolveConfig } from '../../../src/config/loader';
import { EXTERNAL_SCRAPE_JOBS, ONBOARDED_ALL, ONBOARDED_LIST, REMOTE_WRITE_TARGETS } from './variants';
import { ComponentName } from '../../../src/common/names';

const build = (profile: 'minikube' | 'production' = 'minikube', overrides = {}) => {
  const config = resolveConfig({ profile, overrides });
  return prometheusConfig(config, stackTopology(config));
};

const STACK_NAMESPACES = ['fl-monitoring', 'fl-agents', 'fl-training'];
const job = (c: ReturnType<typeof build>, name: string) => c.scrape_configs.find((j) => j.job_name === name)!;

test('scrape jobs: opted-in pods (plain and honor_labels), opted-in Services, kubelet and cAdvisor', () => {
  const jobs = build().scrape_configs;
  expect(jobs.map((j) => j.job_name)).toEqual(['kubernetes-pods', 'kubernetes-pods-honor-labels', 'kubernetes-service-endpoints', 'kubelet', 'cadvisor']);
  expect(jobs[0].kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: STACK_NAMESPACES } }]);
  expect(jobs[1].honor_labels).toBe(true);
  expect(jobs[2].kubernetes_sd_configs).toEqual([{ role: 'endpoints', namespaces: { names: STACK_NAMESPACES } }]);
  expect(jobs[4].metrics_path).toBe('/metrics/cadvisor');
});

test('the job label is the pod app.kubernetes.io/name, which the rules select on; a pod without it keeps the scrape job name', () => {
  expect(build().scrape_configs[0].relabel_configs).toContainEqual({
    source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
    regex: '(.+)',
    target_label: 'job',
    action: 'replace',
  });
});

test('pods and Services choose their scheme, port and path with the prometheus.io annotations', () => {
  const c = build();
  for (const [name, kind] of [['kubernetes-pods', 'pod'], ['kubernetes-pods-honor-labels', 'pod'], ['kubernetes-service-endpoints', 'service']] as const) {
    const relabel = job(c, name).relabel_configs!;
    const meta = (a: string) => `__meta_kubernetes_${kind}_annotation_prometheus_io_${a}`;
    expect(relabel[0]).toEqual({ source_labels: [meta('scrape')], regex: 'true', action: 'keep' });
    expect(relabel).toContainEqual({ source_labels: [meta('scheme')], regex: '(https?)', target_label: '__scheme__', action: 'replace' });
    expect(relabel).toContainEqual({ source_labels: [meta('path')], regex: '(.+)', target_label: '__metrics_path__', action: 'replace' });
    expect(relabel.some((r) => r.target_label === '__address__' && r.source_labels?.includes(meta('port')))).toBe(true);
  }
  // A Service's job: its app.kubernetes.io/name, else its name; the Service is a label of its own.
  expect(job(c, 'kubernetes-service-endpoints').relabel_configs!.filter((r) => r.target_label === 'job' || r.target_label === 'service')).toEqual([
    { source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', action: 'replace' },
    { source_labels: ['__meta_kubernetes_service_label_app_kubernetes_io_name'], regex: '(.+)', target_label: 'job', action: 'replace' },
    { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service', action: 'replace' },
  ]);
});

test('onboarded namespaces: their pods and Services are discovered like the stack\'s; honor_labels stays with the stack\'s namespaces', () => {
  const c = build('minikube', ONBOARDED_LIST);
  const names = [...STACK_NAMESPACES, 'training-jobs', 'team-a'];
  expect(job(c, 'kubernetes-pods').kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names } }]);
  expect(job(c, 'kubernetes-service-endpoints').kubernetes_sd_configs).toEqual([{ role: 'endpoints', namespaces: { names } }]);
  expect(job(c, 'kubernetes-pods-honor-labels').kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: STACK_NAMESPACES } }]);
  // Same relabelling as without onboarded namespaces.
  expect(job(c, 'kubernetes-pods').relabel_configs).toEqual(job(build(), 'kubernetes-pods').relabel_configs);
});

test("onboarded 'all': pods and Services of every namespace", () => {
  const c = build('minikube', ONBOARDED_ALL);
  expect(job(c, 'kubernetes-pods').kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
  expect(job(c, 'kubernetes-service-endpoints').kubernetes_sd_configs).toEqual([{ role: 'endpoints' }]);
  expect(job(c, 'kubernetes-pods-honor-labels').kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: STACK_NAMESPACES } }]);
});

test('rules, alerting and remote_write point at the stack', () => {
  const c = build();
  expect(c.rule_files).toEqual([`${RULES_DIR}/*.yaml`]);
  expect(c.remote_write).toEqual([{ url: 'http://victoria-metrics.fl-monitoring.svc:8428/api/v1/write', queue_config: { max_samples_per_send: 10000, capacity: 20000 } }]);
  expect(c.alerting?.alertmanagers[0].relabel_configs[0]).toEqual({ source_labels: ['__meta_kubernetes_service_name'], regex: 'alertmanager', action: 'keep' });
  expect(c.global.external_labels).toEqual({ cluster: 'minikube' });
});

test('HA replicas carry a replica label that is dropped from alerts', () => {
  const c = build('production');
  expect(c.global.external_labels[REPLICA_LABEL]).toBe('${POD_NAME}');
  expect(c.alerting?.alert_relabel_configs).toEqual([{ regex: REPLICA_LABEL, action: 'labeldrop' }]);
});

test('disabled VictoriaMetrics and Alertmanager leave no dangling targets', () => {
  const c = build('minikube', { victoriaMetrics: { enabled: false }, alertmanager: { enabled: false } });
  expect(c.remote_write).toBeUndefined();
  expect(c.alerting).toBeUndefined();
});

test('HA replicas write one copy: the replica label is dropped on the remote_write path only', () => {
  const config = resolveConfig({ profile: 'production' });
  const c = prometheusConfig(config, stackTopology(config));
  expect(c.global.external_labels).toHaveProperty('prometheus_replica');
  expect(c.remote_write?.[0]?.write_relabel_configs).toEqual([{ regex: 'prometheus_replica', action: 'labeldrop' }]);
  // Alerts drop it too (Alertmanager deduplicates identical alerts); queries keep it.
  expect(c.alerting?.alert_relabel_configs).toEqual([{ regex: 'prometheus_replica', action: 'labeldrop' }]);
  const single = resolveConfig();
  expect(prometheusConfig(single, stackTopology(single)).remote_write?.[0]?.write_relabel_configs).toBeUndefined();
});

test('remote_write targets: credentials and CA as mounted files, the stack\'s relabelling first, queue settings', () => {
  const c = build('production', REMOTE_WRITE_TARGETS);
  const drop = { regex: REPLICA_LABEL, action: 'labeldrop' };
  expect(c.remote_write).toEqual([
    {
      url: 'http://victoria-metrics.fl-monitoring.svc:8428/api/v1/write',
      write_relabel_configs: [drop],
      queue_config: { max_samples_per_send: 10000, capacity: 20000, max_shards: 4 },
    },
    {
      name: 'central',
      url: 'https://metrics.example.org/api/v1/write',
      basic_auth: { username: 'site-a', password_file: '/etc/prometheus/secrets/central-metrics/password' },
      tls_config: { ca_file: '/etc/prometheus/secrets/central-metrics/ca.crt', server_name: 'metrics.example.org' },
      write_relabel_configs: [
        drop,
        { source_labels: ['__name__'], regex: '(?i)up|(?P<fl>fl_.+)', action: 'keep' },
        { source_labels: ['namespace'], regex: 'fl-(.*)', target_label: 'tier', replacement: '$1', action: 'replace' },
        { regex: 'client_index', action: 'labeldrop' },
      ],
      queue_config: { max_samples_per_send: 1000, capacity: 5000, min_shards: 1, max_shards: 10, batch_send_deadline: '10s', min_backoff: '100ms', max_backoff: '10s' },
    },
    {
      name: 'mimir',
      url: 'https://mimir.example.org/api/v1/push',
      authorization: { type: 'Bearer', credentials_file: '/etc/prometheus/secrets/mimir-token/token' },
      tls_config: { ca_file: '/etc/prometheus/configmaps/corporate-ca/ca.pem' },
      write_relabel_configs: [drop],
    },
    { name: 'plain', url: 'http://vm.metrics.svc:8428/api/v1/write', write_relabel_configs: [drop] },
  ]);
});

test('the victoriaMetrics entry is skipped while VictoriaMetrics is not deployed; the other targets stay', () => {
  const c = build('minikube', { ...REMOTE_WRITE_TARGETS, victoriaMetrics: { enabled: false } });
  expect(c.remote_write?.map((r) => r.name)).toEqual(['central', 'mimir', 'plain']);
  expect(build('minikube', { prometheus: { remoteWrite: [] } }).remote_write).toBeUndefined();
});

test('external scrape jobs: static targets after the generated jobs, credentials and CA as mounted files', () => {
  const jobs = build('minikube', EXTERNAL_SCRAPE_JOBS).scrape_configs;
  expect(jobs.slice(-2)).toEqual([
    { job_name: 'lab-node-exporters', static_configs: [{ targets: ['10.20.0.5:9100', 'gpu-1.lab.example:9100'] }] },
    {
      job_name: 'appliance',
      scheme: 'https',
      metrics_path: '/api/metrics',
      scrape_interval: '1m',
      authorization: { type: 'Bearer', credentials_file: '/etc/prometheus/secrets/appliance-token/token' },
      tls_config: { ca_file: '/etc/prometheus/configmaps/corporate-ca/ca.pem', server_name: 'storage.lab.example' },
      static_configs: [{ targets: ['storage.lab.example:8443'], labels: { site: 'lab', rack: 'r12' } }],
    },
  ]);
});

test('no external job may take a job name of the stack: every generated job and component name is refused', () => {
  const names = [...build('production', ONBOARDED_ALL).scrape_configs.map((j) => j.job_name), ...Object.values(ComponentName)];
  for (const name of names) {
    expect(() => resolveConfig({ overrides: { prometheus: { externalScrapeJobs: [{ name, targets: ['10.0.0.1:9100'] }] } } })).toThrow(
      `prometheus.externalScrapeJobs.0.name: is a job name of the stack (its scrape jobs and components select on it); choose another (got "${name}")`,
    );
  }
});
