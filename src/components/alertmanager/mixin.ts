import { ComponentName } from '../../common/names';
import { counterIncreasing } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { ALERTMANAGER_METRICS } from './metrics';

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
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
      }),
    ),
  ];
}

export const ALERTMANAGER_MIXIN: Mixin = {
  name: 'alertmanager',
  enabled: (config) => config.alertmanager.enabled,
  metrics: ALERTMANAGER_METRICS,
  alertingRules: alerting,
};
