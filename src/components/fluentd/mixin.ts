import { ComponentName } from '../../common/names';
import { counterIncreasing } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { FLUENTD_METRICS } from './metrics';

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  return [
    new RuleGroupBuilder('fluentd.alerts', ctx.catalog, ctx.recorded).alert(
      counterIncreasing({
        alert: 'FluentdNotShipping',
        component: ComponentName.FLUENTD,
        metric: 'fluentd_output_status_num_errors',
        by: ['namespace', 'pod', 'plugin_id'],
        example: { namespace: ctx.config.namespaces.agents, pod: 'fluentd-abcde', plugin_id: 'object:3fe', type: 'loki' },
        severity: 'warning',
        summary: 'Fluentd fails to ship the FL workload logs.',
        description: 'Fluentd {{ $labels.pod }} output {{ $labels.plugin_id }} keeps failing; FL logs are buffered or lost.',
        impact: 'FL workload logs are buffered on the node and lost when the buffer overflows: training logs go missing in Loki.',
        mitigation: "Check the output's destination (Loki up? `fluentd.output` host reachable?) and the Fluentd log for the error; the buffer queue panel of the stack health dashboard shows how much is waiting.",
      }),
    ),
  ];
}

export const FLUENTD_MIXIN: Mixin = {
  name: 'fluentd',
  metrics: FLUENTD_METRICS,
  alertingRules: alerting,
};
