import { lokiDashboards } from '../../../src/components/loki/dashboards';
import { DashboardFolder } from '../../../src/monitoring/dashboard';
import { dashboardsProblems } from '../../../src/monitoring/dashboard-check';
import { parseLogQL } from '../../../src/monitoring/promql';
import { contextOf, panelsOf, panel, exprsOf, variable } from '../../dashboard-helpers';
import type { DashboardDef } from '../../../src/monitoring/mixin';

describe('FL logs dashboard', () => {
  const ctx = contextOf();
  const [logs] = lokiDashboards(ctx) as [DashboardDef];

  test('one dashboard, fl-logs, in the Logs folder', () => {
    expect(lokiDashboards(ctx).map((d) => [d.uid, d.title, d.folder])).toEqual([['fl-logs', 'FL logs', DashboardFolder.LOGS]]);
  });

  test('no problem; every LogQL query parses and targets the loki variable', () => {
    expect(dashboardsProblems([logs], ctx)).toEqual([]);
    const targets = panelsOf(logs).flatMap((p) => p.targets ?? []);
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) {
      expect(t.datasource).toEqual({ type: 'loki', uid: '${loki}' });
      expect(parseLogQL(t.expr).errors).toEqual([]);
    }
  });

  test('loki datasource variable (default Loki), namespace defaulting to training, a search box', () => {
    expect(variable(logs, 'loki')).toMatchObject({ type: 'datasource', query: 'loki', current: { value: 'loki' } });
    expect(variable(logs, 'namespace')?.current?.value).toBe(ctx.config.namespaces.training);
    expect(variable(logs, 'search')).toMatchObject({ type: 'textbox' });
  });

  test('server and client log panels parse the JSON lines', () => {
    expect(panel(logs, 'FL server')).toMatchObject({ type: 'logs' });
    expect(panel(logs, 'FL server').targets![0]!.expr).toBe('{container="fl-server", namespace="$namespace"} |~ "(?i)$search" | json');
    expect(panel(logs, 'FL clients').targets![0]!.expr).toBe('{container="fl-client", namespace="$namespace"} |~ "(?i)$search" | json');
  });

  test('log volume by level', () => {
    const p = panel(logs, 'Log lines by level');
    expect(p.type).toBe('timeseries');
    expect(p.fieldConfig!.defaults!.unit).toBe('short');
    expect(p.targets![0]).toMatchObject({
      expr: 'sum by (level) (count_over_time({container=~"fl-server|fl-client", namespace="$namespace"} | json | __error__="" [$__interval]))',
      legendFormat: '{{level}}',
    });
  });

  test('log-metric panels have a unit (logs panels need none)', () => {
    for (const p of panelsOf(logs)) {
      if (p.type === 'timeseries') {
        expect(p.fieldConfig?.defaults?.unit).toBeTruthy();
      }
    }
    expect(exprsOf(logs).filter((e) => e.startsWith('sum by'))).toHaveLength(3);
  });
});
