import { matchers, parseLogQL, parsePromQL, substituteGrafanaMacros } from '../../src/monitoring/promql';

test('parses PromQL and lists the selected metrics', () => {
  expect(parsePromQL('histogram_quantile(0.95, sum by (le) (rate(a_bucket{job="x"}[5m]))) / on() b')).toEqual({ errors: [], metrics: ['a_bucket', 'b'] });
});

test('reports syntax errors', () => {
  expect(parsePromQL('sum(rate(a[5m])').errors.length).toBeGreaterThan(0);
  expect(parseLogQL('{app="x"} |= ').errors.length).toBeGreaterThan(0);
  expect(parseLogQL('sum by (level) (count_over_time({app="x"} | json [5m]))').errors).toEqual([]);
});

test('Grafana macros and variables are substituted before parsing', () => {
  expect(substituteGrafanaMacros('rate(a{ns="$namespace", j="${job}"}[$__rate_interval])')).toBe('rate(a{ns="grafana_var", j="grafana_var"}[5m])');
  expect(parsePromQL('rate(a{ns=~"$namespace"}[$__rate_interval])').errors).toEqual([]);
});

test('matchers are sorted and escaped', () => {
  expect(matchers({ b: 'x"y', a: '1' }, ['a'])).toBe('{a=~"1", b="x\\"y"}');
});
