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
        }),
      )
      .alert({
        alert: 'VictoriaMetricsIngestionStopped',
        expr: `sum by (namespace) (rate(${sel('vm_rows_inserted_total', V)}[10m])) == 0`,
        for: '15m',
        severity: 'warning',
        summary: 'VictoriaMetrics receives no samples.',
        description: 'VictoriaMetrics in {{ $labels.namespace }} has ingested nothing for 15 minutes; check Prometheus remote_write.',
        test: {
          firing: { series: [{ series: input, values: '100x40' }], at: '30m', labels: { namespace: ns } },
          quiet: { series: [{ series: input, values: '0+100x40' }], at: '30m' },
        },
      }),
  ];
}

export const VICTORIA_METRICS_MIXIN: Mixin = {
  name: 'victoria-metrics',
  enabled: (config) => config.victoriaMetrics.enabled,
  metrics: VICTORIA_METRICS_METRICS,
  alertingRules: alerting,
};
