import { ComponentName } from '../../common/names';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { dcgmExporterDashboards } from './dashboards';
import { sel, series } from '../../monitoring/selectors';
import { DCGM_METRICS } from './metrics';

const E = ComponentName.DCGM_EXPORTER;

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const t = ctx.config.thresholds;
  const gpu = { gpu: '0', Hostname: 'gpu-node-1' };
  const s = (metric: string): string => series(metric, E, gpu);
  const labels = { job: E, ...gpu };
  const training = series('fl_active_clients', ComponentName.FL_SERVER, { namespace: ctx.config.namespaces.training });
  return [
    new RuleGroupBuilder('gpu.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'GpuTemperatureHigh',
        expr: `${sel('DCGM_FI_DEV_GPU_TEMP', E)} > ${t.gpuTemperatureCelsius}`,
        for: '5m',
        severity: 'warning',
        summary: `A GPU is hotter than ${t.gpuTemperatureCelsius} °C.`,
        description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has run hot for 5 minutes; check cooling and power limits.',
        impact: 'The GPU throttles its clocks (slower training) and hardware ages faster; beyond the slowdown threshold it may shut down.',
        mitigation: "Check the node's cooling and power limits (`nvidia-smi -q -d TEMPERATURE,POWER`) and the GPU's utilisation; move work off the node if cooling cannot be fixed.",
        test: {
          firing: { series: [{ series: s('DCGM_FI_DEV_GPU_TEMP'), values: `${t.gpuTemperatureCelsius + 5}x10` }], at: '6m', labels },
          quiet: { series: [{ series: s('DCGM_FI_DEV_GPU_TEMP'), values: `${t.gpuTemperatureCelsius - 20}x10` }], at: '6m' },
        },
      })
      .alert({
        alert: 'GpuXidErrors',
        expr: `${sel('DCGM_FI_DEV_XID_ERRORS', E)} != 0`,
        for: '1m',
        severity: 'critical',
        summary: 'A GPU reported an XID error.',
        description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported an XID error; the driver or hardware needs attention.',
        impact: 'The GPU or its driver hit an error: the training process on it has probably crashed or produces wrong results.',
        mitigation: "Look the XID code up in NVIDIA's XID error list; drain the node (`kubectl drain`) for hardware XIDs (e.g. 48, 79) and reset or replace the GPU.",
        test: {
          firing: { series: [{ series: s('DCGM_FI_DEV_XID_ERRORS'), values: '0 0 79 79 79 79' }], at: '4m', labels },
          quiet: { series: [{ series: s('DCGM_FI_DEV_XID_ERRORS'), values: '0x5' }], at: '4m' },
        },
      })
      .alert({
        // The seed documents' alert: framebuffer used / (used + free), as DCGM reports both in MiB.
        alert: 'HighGPUMemoryUsage',
        expr: `${sel('DCGM_FI_DEV_FB_USED', E)} / (${sel('DCGM_FI_DEV_FB_USED', E)} + ${sel('DCGM_FI_DEV_FB_FREE', E)}) > ${t.gpuMemoryUtilization}`,
        for: '2m',
        severity: 'warning',
        summary: `GPU memory usage is above ${Math.round(t.gpuMemoryUtilization * 100)}%.`,
        description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has had its framebuffer almost full for 2 minutes.',
        impact: 'The next allocation on the GPU fails: the training process on it hits CUDA out-of-memory and its FL client fails the round.',
        mitigation: 'See which pod uses the GPU (the `pod` label of the DCGM series); reduce its batch size or model size, or make sure one GPU is not shared by several clients.',
        test: {
          firing: {
            series: [
              { series: s('DCGM_FI_DEV_FB_USED'), values: '39900x10' },
              { series: s('DCGM_FI_DEV_FB_FREE'), values: '100x10' },
            ],
            at: '5m',
            labels,
          },
          quiet: {
            series: [
              { series: s('DCGM_FI_DEV_FB_USED'), values: '20000x10' },
              { series: s('DCGM_FI_DEV_FB_FREE'), values: '20000x10' },
            ],
            at: '5m',
          },
        },
      })
      .alert({
        alert: 'GpuIdleWhileTraining',
        expr: `avg by (Hostname, gpu) (${sel('DCGM_FI_DEV_GPU_UTIL', E)}) < ${t.gpuIdleUtilizationPercent} and on () (sum(${sel('fl_active_clients', ComponentName.FL_SERVER)}) > 0)`,
        for: '15m',
        severity: 'warning',
        summary: 'A GPU is idle while federated training runs.',
        description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} stayed nearly idle for 15 minutes during training; the workload may not be using it.',
        impact: 'GPU capacity is paid for but not used; training runs on the CPU or waits on data.',
        mitigation: 'Check that the FL client image sees the GPU (`nvidia.com/gpu` requests, runtime class) and that the model is placed on it; look at data loading and CPU throttling.',
        test: {
          firing: {
            series: [
              { series: s('DCGM_FI_DEV_GPU_UTIL'), values: '1x30' },
              { series: training, values: '2x30' },
            ],
            at: '20m',
            labels: gpu,
          },
          quiet: {
            series: [
              { series: s('DCGM_FI_DEV_GPU_UTIL'), values: '1x30' },
              { series: training, values: '0x30' },
            ],
            at: '20m',
          },
        },
      }),
  ];
}

/** GPU monitoring: DCGM metrics and GPU alerts. */
export const DCGM_EXPORTER_MIXIN: Mixin = {
  name: 'gpu',
  metrics: DCGM_METRICS,
  alertingRules: alerting,
  dashboards: dcgmExporterDashboards,
};
