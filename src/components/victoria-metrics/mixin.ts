import { ComponentName } from '../../common/names';
import { targetDown } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { VICTORIA_METRICS_METRICS } from './metrics';

const V = ComponentName.VICTORIA_METRICS;

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const ns = ctx.config.namespaces.monitoring;
  const input = series('vm_rows_inserted_total', V, { namespace: ns, type: 'promremotewrite' });
  const pod = { namespace: ns, pod: 'victoria-metrics-0' };
  const bySum = (metric: string): string => `sum by (namespace, pod) (${sel(metric, V)})`;
  const gib = 2 ** 30;
  return [
    new RuleGroupBuilder('victoria-metrics.alerts', ctx.catalog, ctx.recorded)
      .alert(
        targetDown({
          alert: 'VictoriaMetricsDown',
          component: V,
          namespace: ns,
          severity: 'critical',
          summary: 'VictoriaMetrics is down: long-term metrics are not stored.',
          description: 'VictoriaMetrics {{ $labels.namespace }}/{{ $labels.pod }} has not answered scrapes for 5 minutes.',
          impact:
            'Long-term metrics are not stored: Prometheus keeps the samples in its WAL and retries (PrometheusRemoteWriteBehind), and loses them only if the outage outlasts the WAL (about 2 hours).',
          mitigation: 'Check the VictoriaMetrics pod, its volume (VictoriaMetricsDiskRunningOut) and its log.',
        }),
      )
      .alert({
        alert: 'VictoriaMetricsIngestionStopped',
        expr: `sum by (namespace) (rate(${sel('vm_rows_inserted_total', V)}[10m])) == 0`,
        for: '15m',
        severity: 'warning',
        summary: 'VictoriaMetrics receives no samples.',
        description: 'VictoriaMetrics in {{ $labels.namespace }} has ingested nothing for 15 minutes; check Prometheus remote_write.',
        impact: 'Long-term storage receives nothing: dashboards on the long-term datasource stop at the last sample.',
        mitigation: "Check Prometheus's remote write (PrometheusRemoteWriteFailing) and the NetworkPolicy from Prometheus to VictoriaMetrics.",
        test: {
          firing: { series: [{ series: input, values: '100x40' }], at: '30m', labels: { namespace: ns } },
          quiet: { series: [{ series: input, values: '0+100x40' }], at: '30m' },
        },
      })
      .alert({
        // A full disk does not lose samples at once: the store answers 503 and Prometheus retries from
        // its WAL (about 2 hours) while this fires (the fault suite, test/faults, shows it).
        alert: 'VictoriaMetricsReadOnly',
        expr: `max by (namespace, pod) (${sel('vm_storage_is_read_only', V)}) == 1`,
        for: '2m',
        severity: 'critical',
        summary: 'VictoriaMetrics is read-only: its disk is full and it refuses every sample.',
        description: 'VictoriaMetrics {{ $labels.namespace }}/{{ $labels.pod }} has less free space than -storage.minFreeDiskSpaceBytes and rejects writes.',
        impact:
          'Long-term storage stores nothing: Prometheus keeps the rejected samples in its WAL and retries (PrometheusRemoteWriteBehind), and loses them once the WAL is truncated, about 2 hours on.',
        mitigation:
          'Free space on the volume now: grow `victoriaMetrics.storage.size` (if the storage class allows expansion) or shorten `victoriaMetrics.retention`; VictoriaMetrics accepts writes again by itself once the free space is back above the minimum.',
        test: {
          firing: { series: [{ series: series('vm_storage_is_read_only', V, { ...pod, path: '/storage' }), values: '1x10' }], at: '5m', labels: pod },
          quiet: { series: [{ series: series('vm_storage_is_read_only', V, { ...pod, path: '/storage' }), values: '0x10' }], at: '5m' },
        },
      })
      .alert({
        // VictoriaMetrics' own view of its disk: it holds where the kubelet reports no volume stats (some CSI drivers).
        alert: 'VictoriaMetricsDiskRunningOut',
        expr: `${bySum('vm_free_disk_space_bytes')} / (${bySum('vm_free_disk_space_bytes')} + ${bySum('vm_data_size_bytes')}) < ${ctx.config.thresholds.volumeFreeRatio}`,
        for: '5m',
        severity: 'warning',
        summary: `VictoriaMetrics has less than ${Math.round(ctx.config.thresholds.volumeFreeRatio * 100)}% of its disk free.`,
        description: 'VictoriaMetrics {{ $labels.namespace }}/{{ $labels.pod }} is running out of disk space.',
        impact: 'When the free space falls below its minimum, VictoriaMetrics turns read-only: long-term metrics stop being stored.',
        mitigation: 'Grow `victoriaMetrics.storage.size` or shorten `victoriaMetrics.retention`; look for a cardinality jump in the data size panel.',
        test: {
          firing: {
            series: [
              { series: series('vm_free_disk_space_bytes', V, { ...pod, path: '/storage' }), values: `${gib / 100}x10` },
              { series: series('vm_data_size_bytes', V, { ...pod, type: 'storage/big' }), values: `${gib}x10` },
            ],
            at: '7m',
            labels: pod,
          },
          quiet: {
            series: [
              { series: series('vm_free_disk_space_bytes', V, { ...pod, path: '/storage' }), values: `${gib}x10` },
              { series: series('vm_data_size_bytes', V, { ...pod, type: 'storage/big' }), values: `${gib}x10` },
            ],
            at: '7m',
          },
        },
      }),
  ];
}

export const VICTORIA_METRICS_MIXIN: Mixin = {
  name: 'victoria-metrics',
  metrics: VICTORIA_METRICS_METRICS,
  alertingRules: alerting,
};
