import { ComponentName } from '../../common/names';
import { counterIncreasing } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { META_SEVERITY, RuleGroupBuilder } from '../../monitoring/rules';
import { INFO_INHIBITOR, WATCHDOG } from './config';
import { ALERTMANAGER_METRICS } from './metrics';

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const ns = ctx.config.namespaces.training;
  const alerts = (labels: string): string => `ALERTS{${labels}}`;
  const info = { alertname: 'ClientsBelowExpected', alertstate: 'firing', namespace: ns };
  const series = (labels: Readonly<Record<string, string>>): string =>
    alerts(Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', '));
  return [
    new RuleGroupBuilder('alertmanager.alerts', ctx.catalog, ctx.recorded).alert(
      counterIncreasing({
        alert: 'AlertmanagerNotificationsFailing',
        component: ComponentName.ALERTMANAGER,
        metric: 'alertmanager_notifications_failed_total',
        by: ['namespace', 'pod', 'integration'],
        example: { namespace: ctx.config.namespaces.monitoring, pod: 'alertmanager-0', integration: 'webhook' },
        severity: 'critical',
        summary: 'Alertmanager fails to send notifications.',
        description: 'Alertmanager {{ $labels.pod }} fails to deliver {{ $labels.integration }} notifications; receivers are not being told about alerts.',
        impact: 'Alerts fire but the on-call is not told; this alert itself may not reach them through the failing integration.',
        mitigation:
          'Read the Alertmanager log for the integration\'s error: a wrong or rotated credential in the receiver Secret, an expired webhook, egress blocked. Fix the Secret (the pod reads it from its file on the next notification).',
      }),
    ),
    // Meta alerts, as kube-prometheus ships them; severity `none` routes them away from people.
    new RuleGroupBuilder('meta.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: WATCHDOG,
        expr: 'vector(1)',
        severity: META_SEVERITY,
        summary: 'The alerting pipeline works: this alert always fires.',
        description: 'Always firing. Alertmanager sends it to the dead man\'s switch receiver (alertmanager.deadMansSwitch); that service alarms when it stops arriving.',
        impact: 'None while it fires. If the dead man\'s switch stops receiving it, Prometheus, rule evaluation, Alertmanager or the notification path is broken and no alert reaches anyone.',
        mitigation: 'Never silence it. When the dead man\'s switch alarms, check in this order: Prometheus up and evaluating (PrometheusRuleEvaluationFailures), Prometheus reaching Alertmanager (PrometheusNotificationsFailing), Alertmanager delivering (AlertmanagerNotificationsFailing).',
        test: { firing: { series: [], at: '1m', labels: {} }, quiet: [] },
      })
      .alert({
        alert: INFO_INHIBITOR,
        expr: `${alerts('severity="info"')} == 1 unless on (namespace) ${alerts(`alertname!="${INFO_INHIBITOR}", severity=~"warning|critical", alertstate="firing"`)} == 1`,
        severity: META_SEVERITY,
        summary: 'Info alerts are held back: nothing more severe fires in their namespace.',
        description: 'Fires for every info alert whose namespace has no warning or critical alert firing; Alertmanager then mutes that info alert.',
        impact: 'None: info alerts are context for a more severe alert, and reach a receiver only together with one.',
        mitigation: 'Nothing to do; it is routed to the null receiver. To see held-back info alerts, look at the Alertmanager UI with inhibited alerts shown.',
        test: {
          firing: { series: [{ series: series({ ...info, severity: 'info' }), values: '1x10' }], at: '5m', labels: { alertstate: 'firing', namespace: ns } },
          quiet: {
            case: 'a warning fires in the namespace',
            series: [
              { series: series({ ...info, severity: 'info' }), values: '1x10' },
              { series: series({ ...info, alertname: 'AccuracyDropped', severity: 'warning' }), values: '1x10' },
            ],
            at: '5m',
          },
        },
      }),
  ];
}

export const ALERTMANAGER_MIXIN: Mixin = {
  name: 'alertmanager',
  metrics: ALERTMANAGER_METRICS,
  alertingRules: alerting,
};
