import { ComponentName } from '../../common/names';
import { counterIncreasing, targetDown } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { lokiDashboards } from './dashboards';
import { LOKI_METRICS } from './metrics';

const L = ComponentName.LOKI;

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const ns = ctx.config.namespaces.monitoring;
  return [
    new RuleGroupBuilder('loki.alerts', ctx.catalog, ctx.recorded)
      .alert(
        targetDown({
          alert: 'LokiDown',
          component: L,
          namespace: ns,
          severity: 'critical',
          summary: 'Loki is down: logs are not being stored.',
          description: 'Loki {{ $labels.namespace }}/{{ $labels.pod }} has not answered scrapes for 5 minutes.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'LokiRequestErrors',
          component: L,
          metric: 'loki_request_duration_seconds_count',
          matchers: { status_code: '~5..' },
          by: ['namespace', 'route'],
          example: { namespace: ns, route: 'loki_api_v1_push', status_code: '500', method: 'POST', ws: 'false' },
          severity: 'warning',
          summary: 'Loki answers requests with server errors.',
          description: 'Loki in {{ $labels.namespace }} returns 5xx on {{ $labels.route }}.',
        }),
      ),
  ];
}

export const LOKI_MIXIN: Mixin = {
  name: 'loki',
  enabled: (config) => config.loki.enabled,
  metrics: LOKI_METRICS,
  alertingRules: alerting,
  dashboards: lokiDashboards,
};
