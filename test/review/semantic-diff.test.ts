import type { ManifestObject } from '../../src/common/manifest';
import { StackMode } from '../../src/config/schema';
import { formatDiff, semanticDiff } from '../../src/review/semantic-diff';
import { configOf, synthStack } from '../helpers';

const cm = (data: Record<string, string>): ManifestObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rules', namespace: 'm' }, data });

test('added, removed and changed objects, changes by field path', () => {
  const base: ManifestObject[] = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'm' }, spec: { ports: [{ name: 'http', port: 80 }] } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } },
  ];
  const head: ManifestObject[] = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'm' }, spec: { ports: [{ name: 'http', port: 8080 }] } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'new' } },
  ];
  expect(formatDiff(semanticDiff(base, head))).toBe(['+ Namespace new', '- Namespace gone', '~ Service m/a', '    spec.ports[http].port: 80 → 8080'].join('\n'));
});

test('rule files and dashboards inside ConfigMaps are compared by rule and panel', () => {
  const rules = (threshold: number) => `groups:\n  - name: fl.alerts\n    rules:\n      - alert: AccuracyDropped\n        expr: fl_accuracy < ${threshold}\n`;
  const dash = (title: string) => JSON.stringify({ uid: 'd', panels: [{ title: 'Accuracy', type: 'timeseries' }, { title, type: 'stat' }] });
  const diff = semanticDiff([cm({ 'fl.rules.yaml': rules(0.5), 'd.json': dash('Clients') })], [cm({ 'fl.rules.yaml': rules(0.7), 'd.json': dash('Active clients') })]);
  expect(formatDiff(diff).split('\n')).toEqual([
    '~ ConfigMap m/rules',
    '    data.d.json.panels[Clients]: {"title":"Clients","type":"stat"} → (absent)',
    '    data.d.json.panels[Active clients]: (absent) → {"title":"Active clients","type":"stat"}',
    '    data.fl.rules.yaml.groups[fl.alerts].rules[AccuracyDropped].expr: "fl_accuracy < 0.5" → "fl_accuracy < 0.7"',
  ]);
});

test('identical inputs: no changes', () => {
  expect(formatDiff(semanticDiff([cm({ a: 'b' })], [cm({ a: 'b' })]))).toBe('no changes');
});

test("operator mode's kinds read by rule and by endpoint: a threshold and a PodMonitor's interval", () => {
  const synth = (overrides: Record<string, unknown>) => synthStack(configOf('minikube', { mode: StackMode.OPERATOR, ...overrides }));
  const base = synth({});
  const head = synth({ thresholds: { accuracyMin: 0.7 }, scrapeInterval: '15s', evaluationInterval: '15s' });
  const lines = formatDiff(semanticDiff(base, head)).split('\n');
  expect(lines).toEqual(expect.arrayContaining(['~ PrometheusRule fl-monitoring/fl', '~ PodMonitor fl-training/fl-server', '    spec.podMetricsEndpoints[0].interval: "30s" → "15s"']));
  expect(lines.find((l) => l.includes('spec.groups[fl.alerts].rules[AccuracyDropped].expr'))).toBe(
    '    spec.groups[fl.alerts].rules[AccuracyDropped].expr: "fl_accuracy{job=\\"fl-server\\"} < 0.5" → "fl_accuracy{job=\\"fl-server\\"} < 0.7"',
  );
});
