import { dcgmExporterDashboards } from '../../../src/components/dcgm-exporter/dashboards';
import { DashboardFolder } from '../../../src/monitoring/dashboard';
import { dashboardsProblems } from '../../../src/monitoring/dashboard-check';
import { contextOf, panelsOf, panel, exprsOf, variable } from '../../dashboard-helpers';
import { resolveConfig } from '../../../src/config/loader';
import type { DashboardDef } from '../../../src/monitoring/mixin';

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
