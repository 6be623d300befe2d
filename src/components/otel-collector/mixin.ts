import { ComponentName } from '../../common/names';
import { counterIncreasing, targetDown } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { OtelComponent } from './config';
import { OTEL_COLLECTOR_METRICS } from './metrics';

const O = ComponentName.OTEL_COLLECTOR;

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const { config } = ctx;
  const ns = config.namespaces.agents;
  const pod = { namespace: ns, pod: 'otel-collector-abcde' };
  const queue = { ...pod, exporter: OtelComponent.exporter, data_type: 'logs' };
  const full = config.thresholds.logQueueUtilization;
  const capacity = config.otelCollector.queueSize;
  // Test inputs: half-way between the threshold and full (fires), half the threshold (quiet).
  const [busy, calm] = [Math.ceil((capacity * (1 + full)) / 2), Math.floor((capacity * full) / 2)];
  const by = 'namespace, pod, exporter';
  return [
    new RuleGroupBuilder('otel-collector.alerts', ctx.catalog, ctx.recorded)
      .alert(
        targetDown({
          alert: 'OtelCollectorDown',
          component: O,
          namespace: ns,
          severity: 'warning',
          summary: 'An OpenTelemetry Collector log agent is down.',
          description: 'Collector {{ $labels.pod }} has not been scraped for 5 minutes; the logs of its node are not shipped.',
          impact: 'Logs of the pods on that node stop reaching Loki; they are read from the checkpoint once the agent is back, unless the kubelet rotated them away first.',
          mitigation: 'Check the pod (`kubectl -n ' + ns + ' describe pod`): crash loop (its log names the bad config key), OOM kill (raise `otelCollector.resources`), or a node that is gone.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'OtelCollectorSendFailing',
          component: O,
          metric: 'otelcol_exporter_send_failed_log_records',
          by: ['namespace', 'pod', 'exporter'],
          example: { ...pod, exporter: OtelComponent.exporter, error_type: 'Permanent' },
          severity: 'warning',
          summary: 'An OpenTelemetry Collector drops log records it could not send.',
          description: 'Collector {{ $labels.pod }} exporter {{ $labels.exporter }} gives up on log records; logs of its node are lost.',
          impact: 'Log records Loki refused for good (not retried) are lost: gaps in the FL logs and their dashboards.',
          mitigation: "Read the collector's log for the exporter error: Loki rejecting records (too old, too large, rate limits: see Loki's limits) is the usual cause.",
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'OtelCollectorRefusingLogs',
          component: O,
          metric: 'otelcol_receiver_refused_log_records',
          by: ['namespace', 'pod', 'receiver'],
          example: { ...pod, receiver: OtelComponent.receiver, transport: '' },
          severity: 'warning',
          summary: 'An OpenTelemetry Collector refuses log records (memory limit or full queue).',
          description: 'Collector {{ $labels.pod }} receiver {{ $labels.receiver }} is refused by its pipeline; its node\'s logs fall behind.',
          impact: 'The logs of that node arrive late; if it lasts past log rotation, lines are lost.',
          mitigation: 'Either the memory limiter refuses (raise `otelCollector.resources.limits.memory`) or the send queue is full (see OtelCollectorQueueNearlyFull: is Loki reachable?).',
        }),
      )
      .alert({
        alert: 'OtelCollectorQueueNearlyFull',
        expr: `max by (${by}) (${sel('otelcol_exporter_queue_size', O)} / ${sel('otelcol_exporter_queue_capacity', O)}) > ${full}`,
        for: '15m',
        severity: 'warning',
        summary: `An OpenTelemetry Collector send queue is more than ${full * 100}% full.`,
        description: 'Collector {{ $labels.pod }} exporter {{ $labels.exporter }} cannot keep up with its node\'s logs (is Loki reachable?); reading stops when the queue is full.',
        impact: 'Logs reach Loki late; once the queue is full the agent stops reading, and lines rotated away meanwhile are lost.',
        mitigation: 'Check that Loki is up and accepting pushes (the Loki row of the stack health dashboard); a node logging far more than usual needs a larger `otelCollector.queueSize`.',
        test: {
          firing: {
            series: [
              { series: series('otelcol_exporter_queue_size', O, queue), values: `${busy}x30` },
              { series: series('otelcol_exporter_queue_capacity', O, queue), values: `${capacity}x30` },
            ],
            at: '20m',
            labels: { namespace: ns, pod: pod.pod, exporter: OtelComponent.exporter },
          },
          quiet: {
            series: [
              { series: series('otelcol_exporter_queue_size', O, queue), values: `${calm}x30` },
              { series: series('otelcol_exporter_queue_capacity', O, queue), values: `${capacity}x30` },
            ],
            at: '20m',
          },
        },
      }),
  ];
}

export const OTEL_COLLECTOR_MIXIN: Mixin = {
  name: 'otel-collector',
  metrics: OTEL_COLLECTOR_METRICS,
  alertingRules: alerting,
};
