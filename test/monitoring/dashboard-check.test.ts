import { dashboard, dashboardDef, DashboardFolder, dashboardJson, logsPanel, lokiQuery, promQuery, timeseriesPanel, Unit } from '../../src/monitoring/dashboard';
import { checkDashboards, dashboardProblems, dashboardsProblems, DashboardCheckError, promqlUsageProblems, referencedVariables } from '../../src/monitoring/dashboard-check';
import { contextOf } from '../dashboard-helpers';

/** A panel of the dashboard JSON, every key optional so a test can remove it. */
interface PanelJson {
  id?: number;
  targets?: { refId?: string; expr?: string; legendFormat?: string; datasource?: { type?: string; uid?: string } }[];
  fieldConfig?: { defaults?: { unit?: string } };
}
/** A template variable of the dashboard JSON. */
interface VariableJson {
  name: string;
  query?: unknown;
}

test('referencedVariables finds $x, ${x} and ${x:fmt}', () => {
  expect(referencedVariables('a{b="$ns", c=~"${pod:regex}"}[$__rate_interval] ${datasource}')).toEqual(['ns', 'pod', '__rate_interval', 'datasource']);
});

// ------------------------------------------------------------------------------------------------
// Each check can fail

describe('the checks report what is wrong', () => {
  const ctx = contextOf();

  /** A valid dashboard with one timeseries panel of these PromQL expressions, as JSON. */
  function withExprs(...exprs: string[]): Record<string, unknown> {
    const panel = timeseriesPanel('Panel', Unit.SHORT, exprs.map((e, i) => promQuery(e, `q${i}`)));
    return dashboardJson(dashboard('neg', 'Negative', { tags: [], namespace: { default: 'ns' }, rows: [{ title: 'Row', panels: [panel] }] }));
  }
  const firstPanel = (json: Record<string, unknown>) => (json.panels as PanelJson[])[1]!;

  test('the baseline is clean', () => {
    expect(dashboardProblems(withExprs('sum(rate(fl_rounds_completed_total{job="fl-server"}[$__rate_interval]))'), ctx)).toEqual([]);
  });

  test('a PromQL syntax error', () => {
    const problems = dashboardProblems(withExprs('sum(rate(fl_rounds_completed_total[$__rate_interval])'), ctx);
    expect(problems).toEqual([expect.stringMatching(/^dashboard neg, panel 2 "Panel", target A: PromQL .*syntax error/)]);
  });

  test('a LogQL syntax error', () => {
    const json = dashboardJson(
      dashboard('neg-logs', 'Negative', { tags: [], namespace: { default: 'ns' }, logs: true, rows: [{ title: 'Row', panels: [logsPanel('Logs', [lokiQuery('{app="x"} | json |')])] }] }),
    );
    expect(dashboardProblems(json, ctx)).toEqual([expect.stringMatching(/target A: LogQL .*syntax error/)]);
  });

  test('an unknown metric is named', () => {
    expect(dashboardProblems(withExprs('max(fl_no_such_metric{job="fl-server"})'), ctx)).toEqual([
      expect.stringContaining('metric fl_no_such_metric is neither in the metric catalog nor a recorded series'),
    ]);
  });

  test('a recorded series counts only when recorded', () => {
    const json = withExprs('max(namespace:fl_round_duration_seconds:p95)');
    expect(dashboardProblems(json, ctx)).toEqual([]);
    expect(dashboardProblems(json, { ...ctx, recorded: new Set() })).toEqual([
      expect.stringContaining('metric namespace:fl_round_duration_seconds:p95 is neither'),
    ]);
  });

  test('an undefined variable is named', () => {
    expect(dashboardProblems(withExprs('max(up{pod="$nopod", namespace="${namespace}"})'), ctx)).toEqual([
      expect.stringContaining('uses $nopod, which is not a variable of the dashboard'),
    ]);
  });

  test('a rate or increase range other than [$__rate_interval]', () => {
    const problems = dashboardProblems(withExprs('sum(rate(fl_rounds_completed_total[5m]))', 'sum(increase(fl_rounds_failed_total[$__interval]))'), ctx);
    expect(problems).toEqual([
      expect.stringContaining('target A: rate() range must be [$__rate_interval], got [5m]'),
      expect.stringContaining('target B: increase() range must be [$__rate_interval]'),
    ]);
  });

  test('rate of a gauge, and a histogram without _bucket/_sum/_count', () => {
    expect(promqlUsageProblems('rate(fl_accuracy[$__rate_interval])', ctx)).toEqual(['rate() of fl_accuracy, which is a gauge, not a counter']);
    expect(promqlUsageProblems('max(fl_round_duration_seconds)', ctx)).toEqual(['histogram fl_round_duration_seconds is used without _bucket, _sum or _count']);
  });

  test('a missing refId, a duplicate refId, a missing datasource, a datasource that is no variable', () => {
    const json = withExprs('up', 'up', 'up', 'up');
    const targets = firstPanel(json).targets!;
    delete targets[0]!.refId;
    targets[2]!.refId = 'B';
    delete targets[1]!.datasource;
    targets[3]!.datasource = { type: 'prometheus', uid: 'prometheus' };
    expect(dashboardProblems(json, ctx)).toEqual([
      expect.stringContaining('target #0: has no refId'),
      expect.stringContaining('target B: has no datasource {type, uid}'),
      expect.stringContaining('target B: refId B is not unique'),
      expect.stringContaining('target D: datasource uid prometheus is not a datasource variable'),
    ]);
  });

  test('a datasource variable of the wrong type', () => {
    const json = withExprs('up');
    firstPanel(json).targets![0]!.datasource = { type: 'loki', uid: '${datasource}' };
    expect(dashboardProblems(json, ctx)).toContainEqual(expect.stringContaining('datasource ${datasource} is not a loki datasource variable'));
  });

  test('a duplicate panel id', () => {
    const json = withExprs('up');
    (json.panels as PanelJson[])[1]!.id = 1;
    expect(dashboardProblems(json, ctx)).toEqual([expect.stringContaining('id 1 is not unique')]);
  });

  test('a panel without unit', () => {
    const json = withExprs('up');
    delete firstPanel(json).fieldConfig!.defaults!.unit;
    expect(dashboardProblems(json, ctx)).toEqual([expect.stringContaining('panel 2 "Panel": has no unit')]);
  });

  test('a Prometheus target without legend', () => {
    const json = withExprs('up');
    delete firstPanel(json).targets![0]!.legendFormat;
    expect(dashboardProblems(json, ctx)).toEqual([expect.stringContaining('target A: has no legendFormat')]);
  });

  test('a variable query on an unknown metric', () => {
    const json = withExprs('up');
    (json.templating as { list: VariableJson[] }).list.find((v) => v.name === 'namespace')!.query = 'label_values(no_such_metric, namespace)';
    expect(dashboardProblems(json, ctx)).toEqual([expect.stringContaining('variable namespace: metric no_such_metric is neither')]);
  });

  test('duplicate dashboard uids', () => {
    const def = dashboardDef(dashboard('same', 'A', { tags: [], namespace: { default: 'ns' }, rows: [] }), DashboardFolder.STACK);
    expect(dashboardsProblems([def, { ...def, title: 'B' }], ctx)).toEqual(['dashboard uid same is not unique']);
  });
});

test('checkDashboards throws every problem, one per line, and passes clean dashboards', () => {
  const ctx = contextOf();
  const clean = dashboardDef(dashboard('clean', 'Clean', { tags: [], namespace: { default: 'ns' }, rows: [] }), DashboardFolder.STACK);
  expect(() => checkDashboards([clean], ctx)).not.toThrow();
  const panel = timeseriesPanel('Rounds', Unit.SHORT, [promQuery('max(fl_no_such_metric)', 'a'), promQuery('sum(rate(fl_rounds_completed_total[5m]))', 'b')]);
  const bad = dashboardDef(dashboard('bad', 'Bad', { tags: [], namespace: { default: 'ns' }, rows: [{ title: 'Row', panels: [panel] }] }), DashboardFolder.FL);
  expect(() => checkDashboards([clean, bad], ctx)).toThrow(
    new DashboardCheckError([
      'dashboard bad, panel 2 "Rounds", target A: metric fl_no_such_metric is neither in the metric catalog nor a recorded series',
      'dashboard bad, panel 2 "Rounds", target B: rate() range must be [$__rate_interval], got [5m] in rate(fl_rounds_completed_total{cluster=~"grafana_var"}[5m])',
    ]),
  );
  expect(() => checkDashboards([bad], ctx)).toThrow(
    [
      '2 dashboard problems:',
      '  dashboard bad, panel 2 "Rounds", target A: metric fl_no_such_metric is neither in the metric catalog nor a recorded series',
      '  dashboard bad, panel 2 "Rounds", target B: rate() range must be [$__rate_interval], got [5m] in rate(fl_rounds_completed_total{cluster=~"grafana_var"}[5m])',
    ].join('\n'),
  );
});
