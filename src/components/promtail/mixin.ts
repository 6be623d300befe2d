import { ComponentName } from '../../common/names';
import { counterIncreasing } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { PROMTAIL_METRICS } from './metrics';

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  return [
    new RuleGroupBuilder('promtail.alerts', ctx.catalog, ctx.recorded).alert(
      counterIncreasing({
        alert: 'PromtailNotShipping',
        component: ComponentName.PROMTAIL,
        metric: 'promtail_dropped_entries_total',
        by: ['namespace', 'pod', 'reason'],
        example: { namespace: ctx.config.namespaces.agents, pod: 'promtail-abcde', reason: 'rate_limited', host: 'loki:3100' },
        severity: 'warning',
        summary: 'Promtail drops log entries instead of shipping them.',
        description: 'Promtail {{ $labels.pod }} drops entries ({{ $labels.reason }}); logs of its node are lost.',
        impact: 'Pod logs of the node are lost for good.',
        mitigation: 'The `reason` label says why: rate limited or rejected by Loki (see LokiIngestionFailing), or Loki unreachable. Promtail is end-of-life: move to the OpenTelemetry Collector (`otelCollector.enabled`).',
      }),
    ),
  ];
}

export const PROMTAIL_MIXIN: Mixin = {
  name: 'promtail',
  metrics: PROMTAIL_METRICS,
  alertingRules: alerting,
};
