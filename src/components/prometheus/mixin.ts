import { ComponentName } from '../../common/names';
import { counterIncreasing } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { prometheusDashboards } from './dashboards';
import { CADVISOR_METRICS, PROMETHEUS_METRICS } from './metrics';

const P = ComponentName.PROMETHEUS;

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const ns = ctx.config.namespaces.monitoring;
  const target = { job: ComponentName.LOKI, namespace: ns, pod: 'loki-0' };
  return [
    new RuleGroupBuilder('prometheus.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'TargetDown',
        expr: 'up == 0',
        for: '5m',
        severity: 'warning',
        summary: 'A scrape target is down.',
        description: 'Prometheus cannot scrape {{ $labels.job }} pod {{ $labels.namespace }}/{{ $labels.pod }}.',
        test: {
          firing: { series: [{ series: `up{job="${target.job}", namespace="${ns}", pod="${target.pod}"}`, values: '0x10' }], at: '7m', labels: target },
          quiet: { series: [{ series: `up{job="${target.job}", namespace="${ns}", pod="${target.pod}"}`, values: '1x10' }], at: '7m' },
        },
      })
      .alert(
        counterIncreasing({
          alert: 'PrometheusRuleEvaluationFailures',
          component: P,
          metric: 'prometheus_rule_evaluation_failures_total',
          by: ['namespace', 'pod', 'rule_group'],
          example: { namespace: ns, pod: 'prometheus-0', rule_group: '/etc/prometheus/rules/fl.rules.yaml;fl.alerts' },
          severity: 'critical',
          for: '5m',
          summary: 'Prometheus fails to evaluate rules: alerts may not fire.',
          description: 'Prometheus {{ $labels.pod }} fails to evaluate rule group {{ $labels.rule_group }}.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'PrometheusRemoteWriteFailing',
          component: P,
          metric: 'prometheus_remote_storage_samples_failed_total',
          by: ['namespace', 'pod', 'url'],
          example: { namespace: ns, pod: 'prometheus-0', url: 'http://victoria-metrics:8428/api/v1/write' },
          severity: 'warning',
          summary: 'Prometheus fails to write samples to VictoriaMetrics.',
          description: 'Prometheus {{ $labels.pod }} fails to send samples to {{ $labels.url }}; long-term storage has gaps.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'PrometheusNotificationsFailing',
          component: P,
          metric: 'prometheus_notifications_errors_total',
          by: ['namespace', 'pod', 'alertmanager'],
          example: { namespace: ns, pod: 'prometheus-0', alertmanager: 'http://10.0.0.9:9093/api/v2/alerts' },
          severity: 'critical',
          summary: 'Prometheus cannot deliver alerts to Alertmanager.',
          description: 'Prometheus {{ $labels.pod }} fails to send alerts to {{ $labels.alertmanager }}.',
        }),
      ),
  ];
}

/** Prometheus's self-monitoring, plus the kubelet/cAdvisor series it scrapes. */
export const PROMETHEUS_MIXIN: Mixin = {
  name: 'prometheus',
  enabled: (config) => config.prometheus.enabled,
  metrics: [...PROMETHEUS_METRICS, ...CADVISOR_METRICS],
  alertingRules: alerting,
  dashboards: prometheusDashboards,
};
