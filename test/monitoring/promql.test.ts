import { matchers, parseLogQL, parsePromQL, substituteGrafanaMacros, withMatcher } from '../../src/monitoring/promql';

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

test('withMatcher adds a matcher to every vector selector, macros, offsets and subqueries kept', () => {
  const m = 'cluster=~"$cluster"';
  expect(withMatcher('sum by (le) (rate(a_bucket{job="x", ns="$namespace"}[$__rate_interval]))', m)).toBe(
    'sum by (le) (rate(a_bucket{job="x", ns="$namespace", cluster=~"$cluster"}[$__rate_interval]))',
  );
  expect(withMatcher('a / on(pod) group_left b{}', m)).toBe('a{cluster=~"$cluster"} / on(pod) group_left b{cluster=~"$cluster"}');
  expect(withMatcher('max_over_time(a{x="1",}[5m:1m]) offset 1h', m)).toBe('max_over_time(a{x="1",cluster=~"$cluster"}[5m:1m]) offset 1h');
  expect(withMatcher('{__name__="up"} or vector(0)', m)).toBe('{__name__="up", cluster=~"$cluster"} or vector(0)');
  // Left for the dashboard checker to report where it is.
  expect(withMatcher('sum(rate(a[5m])', m)).toBe('sum(rate(a[5m])');
});
