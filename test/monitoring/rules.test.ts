import { MetricCatalog, metric, MetricType } from '../../src/monitoring/catalog';
import { vectorSelectors } from '../../src/monitoring/promql';
import { expandLabels, promtoolTests, RuleGroupBuilder, runbookMarkdown, runbookUrl, type AlertRuleProps } from '../../src/monitoring/rules';

const catalog = new MetricCatalog([metric('x', 'fl_accuracy', MetricType.GAUGE, 'accuracy'), metric('x', 'req_seconds', MetricType.HISTOGRAM, 'latency')]);
const quiet = { series: [], at: '1m' };
const base: AlertRuleProps = {
  alert: 'AccuracyDropped',
  expr: 'fl_accuracy < 0.5',
  for: '5m',
  severity: 'warning',
  summary: 'Accuracy is low.',
  description: 'Accuracy in {{ $labels.namespace }} is low.',
  impact: 'The model is not useful.',
  mitigation: 'Check the clients.',
  test: { firing: { series: [], at: '6m', labels: {} }, quiet },
};
const group = (): RuleGroupBuilder => new RuleGroupBuilder('g', catalog);

test('a valid alert builds with severity, annotations and its runbook link', () => {
  expect(group().alert(base).build('https://runbooks.example.com/').rules).toEqual([
    {
      alert: 'AccuracyDropped',
      expr: 'fl_accuracy < 0.5',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: { summary: 'Accuracy is low.', description: 'Accuracy in {{ $labels.namespace }} is low.', runbook_url: 'https://runbooks.example.com/AccuracyDropped.md' },
    },
  ]);
});

test.each([
  ['a non-CamelCase name', { alert: 'accuracy_dropped' }, 'rule group g, rule accuracy_dropped: alert names must be CamelCase'],
  ['a missing for', { for: '' }, "rule group g, rule AccuracyDropped: 'for' must be a positive duration, got ''"],
  ['a templated summary', { summary: 'Accuracy {{ $value }} is low.' }, 'rule group g, rule AccuracyDropped: summary must be one plain sentence without templates'],
  ['a description without template', { description: 'Accuracy is low.' }, 'rule group g, rule AccuracyDropped: description must be templated (use {{ $labels.… }})'],
  ['a syntax error', { expr: 'fl_accuracy < ' }, /rule group g, rule AccuracyDropped: expression does not parse: syntax error at offset/],
  ['no impact', { impact: ' ' }, 'rule group g, rule AccuracyDropped: impact and mitigation must be stated (they make the runbook)'],
  ['no quiet scenario', { test: { firing: { series: [], at: '6m', labels: {} }, quiet: [] } }, 'rule group g, rule AccuracyDropped: needs at least one quiet test scenario'],
  ['a paging alert without for', { for: undefined }, "rule group g, rule AccuracyDropped: 'for' must be a positive duration, got ''"],
  ['an uncatalogued diagnose query', { diagnose: ['nope_total'] }, 'rule group g, rule AccuracyDropped: metric nope_total is not in the metric catalog'],
  ['an uncatalogued metric', { expr: 'fl_accuracyy < 0.5' }, 'rule group g, rule AccuracyDropped: metric fl_accuracyy is not in the metric catalog'],
])('refuses %s', (_name, change, message) => {
  expect(() => group().alert({ ...base, ...change } as AlertRuleProps)).toThrow(message);
});

test('refuses duplicate names and badly named recording rules', () => {
  expect(() => group().alert(base).alert(base)).toThrow('rule group g, rule AccuracyDropped: duplicate rule name in the group');
  expect(() => group().record({ record: 'fl_accuracy_avg', expr: 'avg(fl_accuracy)' })).toThrow('recording rule names must be level:metric:operations');
});

test('histogram series and recorded series count as known metrics', () => {
  const g = group().record({ record: 'job:req_seconds:p99', expr: 'histogram_quantile(0.99, sum by (job, le) (rate(req_seconds_bucket[5m])))' });
  expect(() => g.alert({ ...base, alert: 'Slow', expr: 'job:req_seconds:p99 > 1' })).not.toThrow();
});

test('promtool tests: one firing and one quiet case per alert, annotations expanded', () => {
  const g = group().alert({ ...base, test: { firing: { series: [{ series: 'fl_accuracy{namespace="a"}', values: '0x10' }], at: '6m', labels: { namespace: 'a' } }, quiet } });
  const tests = promtoolTests('f.yaml', [g], 'https://r', '30s') as { tests: { name: string; alert_rule_test: { exp_alerts: unknown[] }[] }[] };
  expect(tests.tests.map((t) => t.name)).toEqual(['AccuracyDropped fires', 'AccuracyDropped stays quiet']);
  expect(tests.tests[0].alert_rule_test[0].exp_alerts).toEqual([
    { exp_labels: { namespace: 'a', severity: 'warning' }, exp_annotations: { summary: 'Accuracy is low.', description: 'Accuracy in a is low.', runbook_url: runbookUrl('https://r', 'AccuracyDropped') } },
  ]);
  expect(tests.tests[1].alert_rule_test[0].exp_alerts).toEqual([]);
  expect(expandLabels('{{ $labels.a }}/{{$labels.b}}', { a: '1', b: '2' })).toBe('1/2');
});

test('meta alerts (severity none) may fire at once, untemplated, with no quiet case; the rule has no for', () => {
  const watchdog: AlertRuleProps = { ...base, alert: 'Watchdog', expr: 'vector(1)', for: undefined, severity: 'none', description: 'Always firing.', test: { firing: { series: [], at: '1m', labels: {} }, quiet: [] } };
  expect(group().alert(watchdog).build('docs/runbooks').rules[0]).toEqual({
    alert: 'Watchdog',
    expr: 'vector(1)',
    labels: { severity: 'none' },
    annotations: { summary: 'Accuracy is low.', description: 'Always firing.', runbook_url: 'docs/runbooks/Watchdog.md' },
  });
});

test('several quiet scenarios become one named promtool test each', () => {
  const g = group().alert({ ...base, test: { firing: base.test.firing, quiet: [{ case: 'a', series: [], at: '1m' }, { case: 'b', series: [], at: '2m' }] } });
  const tests = promtoolTests('f.yaml', [g], 'r', '30s') as { tests: { name: string }[] };
  expect(tests.tests.map((t) => t.name)).toEqual(['AccuracyDropped fires', 'AccuracyDropped stays quiet (a)', 'AccuracyDropped stays quiet (b)']);
});

test('vectorSelectors lists the raw series of an expression, once each, in order', () => {
  expect(vectorSelectors('rate(a_total{job="x"}[5m]) == 0 and b{job="x"} == 0 or rate(a_total{job="x"}[1m]) > 1')).toEqual(['a_total{job="x"}', 'b{job="x"}']);
});

test('the runbook states meaning, impact, the exact queries and mitigation', () => {
  const text = runbookMarkdown({ ...base, expr: 'fl_accuracy{job="s"} < 0.5 and fl_accuracy{job="s"} > 0', diagnose: ['max(fl_accuracy)'] }, { group: 'g', ruleFile: 'f.rules.yaml' });
  expect(text).toBe(
    [
      '# AccuracyDropped',
      '',
      '| severity | for | rule group | rule file |',
      '| --- | --- | --- | --- |',
      '| warning | 5m | `g` | `rules/f.rules.yaml` |',
      '',
      '## What it means',
      '',
      'Accuracy is low.',
      '',
      'Description sent with the alert: Accuracy in {{ $labels.namespace }} is low.',
      '',
      '## Impact',
      '',
      'The model is not useful.',
      '',
      '## Diagnose',
      '',
      'The alert fires while this expression returns series (Prometheus UI, Graph tab):',
      '',
      '```promql',
      'fl_accuracy{job="s"} < 0.5 and fl_accuracy{job="s"} > 0',
      '```',
      '',
      'The series it is built from:',
      '',
      '```promql',
      'fl_accuracy{job="s"}',
      '```',
      '',
      'Further queries:',
      '',
      '```promql',
      'max(fl_accuracy)',
      '```',
      '',
      '## Mitigation',
      '',
      'Check the clients.',
      '',
    ].join('\n'),
  );
});
