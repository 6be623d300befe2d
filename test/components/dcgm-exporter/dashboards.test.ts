import { dcgmExporterDashboards } from '../../../src/components/dcgm-exporter/dashboards';
import { dashboardsProblems, DashboardFolder } from '../../../src/monitoring/dashboard';
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

describe('GPU dashboard', () => {
  const ctx = contextOf();
  const [gpus] = dcgmExporterDashboards(ctx) as [DashboardDef];

  test('one dashboard, fl-gpus, in the Infrastructure folder', () => {
    expect(dcgmExporterDashboards(ctx).map((d) => [d.uid, d.title, d.folder])).toEqual([['fl-gpus', 'GPUs', DashboardFolder.INFRASTRUCTURE]]);
  });

  test('no problem for the default and the production config', () => {
    expect(dashboardsProblems([gpus], ctx)).toEqual([]);
    const prod = contextOf(resolveConfig({ profile: 'production' }));
    expect(dashboardsProblems(dcgmExporterDashboards(prod), prod)).toEqual([]);
  });

  test('utilization, framebuffer used/free, temperature, power and XID errors, each with its unit', () => {
    const expected: Record<string, [string, string]> = {
      'GPU utilization': ['DCGM_FI_DEV_GPU_UTIL', 'percent'],
      'Framebuffer used': ['DCGM_FI_DEV_FB_USED', 'mbytes'],
      'Framebuffer free': ['DCGM_FI_DEV_FB_FREE', 'mbytes'],
      Temperature: ['DCGM_FI_DEV_GPU_TEMP', 'celsius'],
      'Power draw': ['DCGM_FI_DEV_POWER_USAGE', 'watt'],
      'Last XID error': ['DCGM_FI_DEV_XID_ERRORS', 'none'],
    };
    for (const [title, [metric, unit]] of Object.entries(expected)) {
      const p = panelsOf(gpus).find((x) => x.title === title && x.type === 'timeseries')!;
      expect(p.fieldConfig!.defaults!.unit).toBe(unit);
      expect(p.targets![0]!.expr).toContain(`${metric}{Hostname=~"$node", job="dcgm-exporter"}`);
    }
  });

  test('series per node and GPU, and per pod of the namespace', () => {
    const perGpu = panel(gpus, 'GPU utilization').targets![0]!;
    expect(perGpu.expr).toBe('max by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL{Hostname=~"$node", job="dcgm-exporter"})');
    expect(perGpu.legendFormat).toBe('{{Hostname}} GPU {{gpu}}');
    const perPod = panel(gpus, 'GPU utilization by pod').targets![0]!;
    expect(perPod.expr).toBe('max by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{Hostname=~"$node", job="dcgm-exporter", namespace="$namespace", pod=~".+"})');
    expect(perPod.legendFormat).toBe('{{namespace}}/{{pod}}');
  });

  test('every query selects the dcgm-exporter job', () => {
    for (const expr of exprsOf(gpus)) {
      expect(expr).toContain('job="dcgm-exporter"');
    }
  });

  test('node variable from the Hostname label; namespace defaults to training', () => {
    expect(variable(gpus, 'node')).toMatchObject({ type: 'query', multi: true, query: 'label_values(DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter"}, Hostname)' });
    expect(variable(gpus, 'namespace')?.current?.value).toBe(ctx.config.namespaces.training);
  });

  test('the temperature threshold comes from the config', () => {
    const config = resolveConfig({ overrides: { thresholds: { gpuTemperatureCelsius: 78 } } });
    const [d] = dcgmExporterDashboards(contextOf(config)) as [DashboardDef];
    expect(panel(d, 'Temperature').fieldConfig!.defaults!.thresholds!.steps).toEqual([
      { value: null, color: 'green' },
      { value: 78, color: 'red' },
    ]);
  });
});
