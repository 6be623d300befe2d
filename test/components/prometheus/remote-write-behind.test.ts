import { parse } from 'yaml';
import { COMPONENTS } from '../../../src/component-list';
import { collectMonitoring } from '../../../src/monitoring/collect';
import { configOf } from '../../helpers';

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}

function behindRule(overrides: Record<string, unknown> = {}): Rule {
  const file = collectMonitoring(configOf('minikube', overrides), COMPONENTS).ruleFiles['prometheus.rules.yaml'];
  const rules = (parse(file) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
  return rules.find((r) => r.alert === 'PrometheusRemoteWriteBehind')!;
}

test('PrometheusRemoteWriteBehind compares the newest appended and the newest sent sample per queue, against thresholds.remoteWriteBehind (default 2m)', () => {
  const rule = behindRule();
  expect(rule.expr).toBe(
    'max by (namespace, pod, remote_name, url) (max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds{job="prometheus"}[5m]) - ' +
      'ignoring (remote_name, url) group_right max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds{job="prometheus"}[5m])) > 120',
  );
  expect({ for: rule.for, severity: rule.labels?.severity }).toEqual({ for: '5m', severity: 'warning' });
});

test('a shorter thresholds.remoteWriteBehind (the fault suite sets 15s) is the threshold in seconds; `for` stays', () => {
  const rule = behindRule({ thresholds: { remoteWriteBehind: '15s' } });
  expect(rule.expr).toMatch(/\) > 15$/);
  expect(rule.for).toBe('5m');
});
