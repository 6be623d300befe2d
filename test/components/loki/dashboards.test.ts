import { lokiDashboards } from '../../../src/components/loki/dashboards';
import { dashboardsProblems, DashboardFolder } from '../../../src/monitoring/dashboard';
import { parseLogQL } from '../../../src/monitoring/promql';
import { ALERTMANAGER_METRICS } from '../../../src/components/alertmanager/metrics';
import { DCGM_METRICS } from '../../../src/components/dcgm-exporter/metrics';
import { FL_METRICS } from '../../../src/components/fl/metrics';
import { FLUENTD_METRICS } from '../../../src/components/fluentd/metrics';
import { KUBE_STATE_METRICS } from '../../../src/components/kube-state-metrics/metrics';
import { LOKI_METRICS } from '../../../src/components/loki/metrics';
import { NODE_EXPORTER_METRICS } from '../../../src/components/node-exporter/metrics';
import { CADVISOR_METRICS, PROMETHEUS_METRICS } from '../../../src/components/prometheus/metrics';
import { PROMTAIL_METRICS } from '../../../src/components/promtail/metrics';
import { VICTORIA_METRICS_METRICS } from '../../../src/components/victoria-metrics/metrics';
import { resolveConfig } from '../../../src/config/loader';
import type { StackConfig } from '../../../src/config/schema';
import { MetricCatalog } from '../../../src/monitoring/catalog';
import type { DashboardDef, MixinContext } from '../../../src/monitoring/mixin';

const CATALOG = new MetricCatalog([
  ...ALERTMANAGER_METRICS,
  ...DCGM_METRICS,
  ...FL_METRICS,
  ...FLUENTD_METRICS,
  ...KUBE_STATE_METRICS,
  ...LOKI_METRICS,
  ...NODE_EXPORTER_METRICS,
  ...CADVISOR_METRICS,
  ...PROMETHEUS_METRICS,
  ...PROMTAIL_METRICS,
  ...VICTORIA_METRICS_METRICS,
]);

function contextOf(config: StackConfig = resolveConfig(), recorded: readonly string[] = ['namespace:fl_round_duration_seconds:p95']): MixinContext {
  return { config, catalog: CATALOG, recorded: new Set(recorded) };
}

interface PanelJson {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string; legendFormat?: string; datasource: { type: string; uid: string } }[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null; color: string }[] } } };
}
interface VariableJson {
  name: string;
  type: string;
  query?: unknown;
  current?: { value?: unknown };
  multi?: boolean;
}
const panelsOf = (def: DashboardDef): PanelJson[] => def.json.panels as PanelJson[];
const panel = (def: DashboardDef, title: string): PanelJson => {
  const found = panelsOf(def).find((p) => p.title === title);
  if (found === undefined) {
    throw new Error(`dashboard ${def.uid} has no panel "${title}"`);
  }
  return found;
};
const exprsOf = (def: DashboardDef): string[] => panelsOf(def).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const variable = (def: DashboardDef, name: string): VariableJson | undefined =>
  ((def.json.templating as { list: VariableJson[] }).list).find((v) => v.name === name);

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
    expect(panel(logs, 'FL server').targets![0]!.expr).toBe('{app="fl-server", namespace="$namespace"} |~ "(?i)$search" | json');
    expect(panel(logs, 'FL clients').targets![0]!.expr).toBe('{app="fl-client", namespace="$namespace"} |~ "(?i)$search" | json');
  });

  test('log volume by level', () => {
    const p = panel(logs, 'Log lines by level');
    expect(p.type).toBe('timeseries');
    expect(p.fieldConfig!.defaults!.unit).toBe('short');
    expect(p.targets![0]).toMatchObject({
      expr: 'sum by (level) (count_over_time({app=~"fl-server|fl-client", namespace="$namespace"} | json | __error__="" [$__interval]))',
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
