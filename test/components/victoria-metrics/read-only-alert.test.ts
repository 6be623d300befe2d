import { parse } from 'yaml';
import { COMPONENTS } from '../../../src/component-list';
import { collectMonitoring } from '../../../src/monitoring/collect';
import { configOf } from '../../helpers';

test('VictoriaMetricsReadOnly pages (critical, 2m) while the storage refuses writes (vm_storage_is_read_only)', () => {
  const file = collectMonitoring(configOf('minikube'), COMPONENTS).ruleFiles['victoria-metrics.rules.yaml'];
  const rules = (parse(file) as { groups: { rules: { alert?: string; expr: string; for?: string; labels?: Record<string, string> }[] }[] }).groups.flatMap((g) => g.rules);
  const rule = rules.find((r) => r.alert === 'VictoriaMetricsReadOnly');
  expect(rule).toMatchObject({
    expr: 'max by (namespace, pod) (vm_storage_is_read_only{job="victoria-metrics"}) == 1',
    for: '2m',
    labels: { severity: 'critical' },
  });
});
