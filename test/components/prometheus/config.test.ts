import { prometheusConfig, REPLICA_LABEL, RULES_DIR } from '../../../src/components/prometheus/config';
import { stackTopology } from '../../../src/component-list';
import { resolveConfig } from '../../../src/config/loader';

const build = (profile: 'minikube' | 'production' = 'minikube', overrides = {}) => {
  const config = resolveConfig({ profile, overrides });
  return prometheusConfig(config, stackTopology(config));
};

test('scrape jobs: opted-in pods (plain and honor_labels), kubelet and cAdvisor', () => {
  const jobs = build().scrape_configs;
  expect(jobs.map((j) => j.job_name)).toEqual(['kubernetes-pods', 'kubernetes-pods-honor-labels', 'kubelet', 'cadvisor']);
  expect(jobs[0].kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['fl-monitoring', 'fl-agents', 'fl-training'] } }]);
  expect(jobs[1].honor_labels).toBe(true);
  expect(jobs[3].metrics_path).toBe('/metrics/cadvisor');
});

test('the job label is the pod app.kubernetes.io/name, which the rules select on', () => {
  expect(build().scrape_configs[0].relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'job', action: 'replace' });
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
