import { ComponentName } from '../../common/names';
import {
  dashboard,
  dashboardDef,
  DashboardFolder,
  defaultMetricsDatasource,
  labelValues,
  promQuery,
  statPanel,
  timeseriesPanel,
  Unit,
} from '../../monitoring/dashboard';
import type { DashboardDef, MixinContext } from '../../monitoring/mixin';
import { sel } from '../../monitoring/selectors';

const E = ComponentName.DCGM_EXPORTER;
/** GPUs of the nodes picked in the `node` variable (dcgm-exporter's `Hostname` label). */
const GPUS = { Hostname: '~$node' };
/** GPUs in use by pods of the selected namespace (dcgm-exporter's pod attribution). */
const POD_GPUS = { Hostname: '~$node', namespace: '$namespace', pod: '~.+' };
const PER_GPU = 'Hostname, gpu';
const PER_POD = 'namespace, pod';

/** The queries of the GPU dashboard (layout below). */
const queries = {
  nodes: labelValues(sel('DCGM_FI_DEV_GPU_UTIL', E), 'Hostname'),
  gpuCount: `count(${sel('DCGM_FI_DEV_GPU_UTIL', E, GPUS)})`,
  avgUtilization: `avg(${sel('DCGM_FI_DEV_GPU_UTIL', E, GPUS)})`,
  maxTemperature: `max(${sel('DCGM_FI_DEV_GPU_TEMP', E, GPUS)})`,
  totalPower: `sum(${sel('DCGM_FI_DEV_POWER_USAGE', E, GPUS)})`,
  gpusWithXid: `count(${sel('DCGM_FI_DEV_XID_ERRORS', E, GPUS)} > 0) or vector(0)`,
  utilization: `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_GPU_UTIL', E, GPUS)})`,
  memCopyUtilization: `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_MEM_COPY_UTIL', E, GPUS)})`,
  utilizationByPod: `max by (${PER_POD}) (${sel('DCGM_FI_DEV_GPU_UTIL', E, POD_GPUS)})`,
  fbUsed: `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_FB_USED', E, GPUS)})`,
  fbFree: `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_FB_FREE', E, GPUS)})`,
  fbUsedRatio:
    `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_FB_USED', E, GPUS)})` +
    ` / (max by (${PER_GPU}) (${sel('DCGM_FI_DEV_FB_USED', E, GPUS)}) + max by (${PER_GPU}) (${sel('DCGM_FI_DEV_FB_FREE', E, GPUS)}))`,
  fbUsedByPod: `sum by (${PER_POD}) (${sel('DCGM_FI_DEV_FB_USED', E, POD_GPUS)})`,
  temperature: `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_GPU_TEMP', E, GPUS)})`,
  power: `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_POWER_USAGE', E, GPUS)})`,
  powerByPod: `sum by (${PER_POD}) (${sel('DCGM_FI_DEV_POWER_USAGE', E, POD_GPUS)})`,
  smClockHz: `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_SM_CLOCK', E, GPUS)}) * 1e6`,
  xid: `max by (${PER_GPU}) (${sel('DCGM_FI_DEV_XID_ERRORS', E, GPUS)})`,
};

const GPU_LEGEND = '{{Hostname}} GPU {{gpu}}';
const POD_LEGEND = '{{namespace}}/{{pod}}';

/** GPU health and use, per node, GPU and pod. */
export function dcgmExporterDashboards(ctx: MixinContext): DashboardDef[] {
  const q = queries;
  const { thresholds, namespaces } = ctx.config;
  const gpus = dashboard('fl-gpus', 'GPUs', {
    tags: ['gpu', 'infrastructure'],
    description: 'GPU utilization, memory, temperature, power and XID errors from dcgm-exporter, per node, GPU and pod.',
    namespace: { default: namespaces.training },
    metricsDatasource: defaultMetricsDatasource(ctx.config),
    variables: [{ name: 'node', label: 'Node', query: q.nodes }],
    rows: [
      {
        title: 'Overview',
        panels: [
          statPanel('GPUs', Unit.NONE, [promQuery(q.gpuCount, 'GPUs')], { decimals: 0 }),
          statPanel('Mean utilization', Unit.PERCENT, [promQuery(q.avgUtilization, 'utilization')], { min: 0, max: 100, sparkline: true }),
          statPanel('Hottest GPU', Unit.CELSIUS, [promQuery(q.maxTemperature, 'temperature')], {
            threshold: { value: thresholds.gpuTemperatureCelsius },
          }),
          statPanel('Power draw', Unit.WATTS, [promQuery(q.totalPower, 'power')], { sparkline: true }),
          statPanel('GPUs with an XID error', Unit.NONE, [promQuery(q.gpusWithXid, 'GPUs')], {
            decimals: 0,
            threshold: { value: 1 },
            description: 'GPUs whose last XID error value is non-zero.',
          }),
        ],
      },
      {
        title: 'Utilization',
        panels: [
          timeseriesPanel('GPU utilization', Unit.PERCENT, [promQuery(q.utilization, GPU_LEGEND)], {
            min: 0,
            max: 100,
            threshold: { value: thresholds.gpuIdleUtilizationPercent, color: 'green', baseColor: 'orange' },
            description: `Dashed line: the GpuIdleWhileTraining threshold (${thresholds.gpuIdleUtilizationPercent}%).`,
            legendCalcs: ['mean', 'max'],
          }),
          timeseriesPanel('Memory copy utilization', Unit.PERCENT, [promQuery(q.memCopyUtilization, GPU_LEGEND)], { min: 0, max: 100 }),
          timeseriesPanel('GPU utilization by pod', Unit.PERCENT, [promQuery(q.utilizationByPod, POD_LEGEND)], {
            width: 24,
            min: 0,
            max: 100,
            description: 'GPUs attributed to pods of $namespace.',
          }),
        ],
      },
      {
        title: 'Framebuffer memory',
        panels: [
          timeseriesPanel('Framebuffer used', Unit.MEBIBYTES, [promQuery(q.fbUsed, GPU_LEGEND)], { width: 8 }),
          timeseriesPanel('Framebuffer free', Unit.MEBIBYTES, [promQuery(q.fbFree, GPU_LEGEND)], { width: 8 }),
          timeseriesPanel('Framebuffer used %', Unit.RATIO, [promQuery(q.fbUsedRatio, GPU_LEGEND)], { width: 8, min: 0, max: 1 }),
          timeseriesPanel('Framebuffer used by pod', Unit.MEBIBYTES, [promQuery(q.fbUsedByPod, POD_LEGEND)], { width: 24 }),
        ],
      },
      {
        title: 'Temperature, power and errors',
        panels: [
          timeseriesPanel('Temperature', Unit.CELSIUS, [promQuery(q.temperature, GPU_LEGEND)], {
            threshold: { value: thresholds.gpuTemperatureCelsius },
            description: `Dashed line: the GpuTemperatureHigh threshold (${thresholds.gpuTemperatureCelsius} °C).`,
            legendCalcs: ['lastNotNull', 'max'],
          }),
          timeseriesPanel('Power draw', Unit.WATTS, [promQuery(q.power, GPU_LEGEND)], { legendCalcs: ['mean', 'max'] }),
          timeseriesPanel('Power draw by pod', Unit.WATTS, [promQuery(q.powerByPod, POD_LEGEND)], { width: 8 }),
          timeseriesPanel('SM clock', Unit.HERTZ, [promQuery(q.smClockHz, GPU_LEGEND)], { width: 8 }),
          timeseriesPanel('Last XID error', Unit.NONE, [promQuery(q.xid, GPU_LEGEND)], {
            width: 8,
            decimals: 0,
            description: 'Value (code) of the last XID error of each GPU; 0 when none.',
          }),
        ],
      },
    ],
  });
  return [dashboardDef(gpus, DashboardFolder.INFRASTRUCTURE)];
}
