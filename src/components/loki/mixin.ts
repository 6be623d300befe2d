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
          impact: 'Logs are not stored while it is down; agents buffer and retry, then drop.',
          mitigation: 'Check the Loki pod and its volume (PersistentVolumeLowOnSpace); `loki -verify-config` the ConfigMap after a config change.',
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
          impact: 'Log writes or queries fail: logs may be lost (push) or dashboards empty (queries).',
          mitigation: 'Read the Loki log for the failing route; a full volume, the compactor or memory pressure are the usual causes.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'LokiIngestionFailing',
          component: L,
          metric: 'loki_discarded_samples_total',
          by: ['namespace', 'reason'],
          example: { namespace: ns, reason: 'rate_limited', tenant: 'fake' },
          severity: 'warning',
          summary: 'Loki rejects log lines at ingestion.',
          description: 'Loki in {{ $labels.namespace }} discards log lines ({{ $labels.reason }}); they are lost.',
          impact: 'The rejected log lines are lost for good: gaps in the FL and stack logs.',
          mitigation:
            'The `reason` label names the limit: `rate_limited`/`stream_limit` (raise the ingestion limits or cut noisy logs), `too_far_behind`/`greater_than_max_sample_age` (an agent resending old logs after an outage), `line_too_long` (a workload logging huge lines).',
        }),
      ),
  ];
}

export const LOKI_MIXIN: Mixin = {
  name: 'loki',
  metrics: LOKI_METRICS,
  alertingRules: alerting,
  dashboards: lokiDashboards,
};
