import { promtailConfig } from '../../../src/components/promtail/config';
import { stackTopology } from '../../../src/component-list';
import { resolveConfig } from '../../../src/config/loader';

type Relabel = { source_labels?: string[]; regex?: string; action?: string; target_label?: string };
const relabels = (overrides = {}): Relabel[] => {
  const config = resolveConfig({ overrides });
  return (promtailConfig(config, stackTopology(config)) as { scrape_configs: { relabel_configs: Relabel[] }[] }).scrape_configs[0].relabel_configs;
};

test('drops the namespaces fluentd ships to Loki, and only then', () => {
  expect(relabels()[0]).toEqual({ source_labels: ['__meta_kubernetes_namespace'], regex: 'fl-training', action: 'drop' });
  expect(relabels({ fluentd: { enabled: false } }).some((r) => r.action === 'drop' && r.regex === 'fl-training')).toBe(false);
  expect(relabels({ fluentd: { output: { type: 'forward', host: 'x', port: 1 } } }).some((r) => r.regex === 'fl-training')).toBe(false);
});

test('labels streams with namespace, pod, container, node and app', () => {
  expect(relabels().filter((r) => r.target_label !== undefined && r.target_label !== '__path__').map((r) => r.target_label)).toEqual(['namespace', 'pod', 'container', 'node', 'app']);
});
