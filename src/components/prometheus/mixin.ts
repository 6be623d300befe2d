import { ComponentName } from '../../common/names';
import { parseDuration } from '../../config/values';
import { counterIncreasing, SERVICE_DOWN } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder, type AlertRuleProps } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { prometheusDashboards } from './dashboards';
import { CADVISOR_METRICS, KUBELET_METRICS, PROMETHEUS_METRICS } from './metrics';

const P = ComponentName.PROMETHEUS;


/** Free fraction of every PVC in a namespace (all PVC-backed components of the stack live in the monitoring namespace). */
export function volumeFreeRatio(namespace: string): string {
  const scope = { namespace };
  return `${sel('kubelet_volume_stats_available_bytes', 'kubelet', scope)} / ${sel('kubelet_volume_stats_capacity_bytes', 'kubelet', scope)}`;
}

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const { thresholds } = ctx.config;
  const ns = ctx.config.namespaces.monitoring;
  const target = { job: ComponentName.LOKI, namespace: ns, pod: 'loki-0' };
  const up = `up{job="${target.job}", namespace="${ns}", pod="${target.pod}"}`;
  const pvc = { namespace: ns, persistentvolumeclaim: 'data-prometheus-0' };
  const volume = (metric: string): string => `${metric}{job="kubelet", namespace="${ns}", persistentvolumeclaim="${pvc.persistentvolumeclaim}"}`;
  const capacity = 10 * 2 ** 30;
  const freePercent = Math.round(thresholds.volumeFreeRatio * 100);
  const fullWithinSeconds = parseDuration(thresholds.volumeFullWithin)! / 1000;
  // Filling-up scenario: 5% of the capacity used per hour, checked when the volume has half of
  // what that rate uses in volumeFullWithin left (so it fills within it).
  const hourlyUse = capacity * 0.05;
  const fillAt = Math.round((60 * (capacity - (hourlyUse * fullWithinSeconds) / 3600 / 2)) / hourlyUse);
  const available = sel('kubelet_volume_stats_available_bytes', 'kubelet', { namespace: ns });
  const prometheusPod = { namespace: ns, pod: 'prometheus-0' };
  return [
    new RuleGroupBuilder('prometheus.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: SERVICE_DOWN,
        expr: 'up == 0',
        for: '1m',
        severity: 'critical',
        summary: 'A scraped service is down.',
        description: '{{ $labels.job }} pod {{ $labels.namespace }}/{{ $labels.pod }} has not answered scrapes for more than 1 minute.',
        impact: 'The service is down or unreachable from Prometheus: what it does (training, storage, alert delivery, log shipping) may have stopped, and its own alerts cannot fire.',
        mitigation:
          'Check the pod (`kubectl -n <namespace> describe pod <pod>`, its events and logs): crash loop, OOM kill, failing readiness, or a NetworkPolicy that blocks Prometheus. The per-component "…Down" alerts of the same pod are inhibited while this one fires.',
        diagnose: [`count by (job) (up == 0)`],
        test: {
          firing: { series: [{ series: up, values: '0x10' }], at: '3m', labels: target },
          quiet: { series: [{ series: up, values: '1x10' }], at: '3m' },
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
          impact: 'Alerts and recorded series of the group are missing: an outage it should report goes unnoticed.',
          mitigation: 'Read the Prometheus log for the failing rule (query timeouts, many-to-many matching after a label change); fix the rule in its mixin and run `npm run generate`.',
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
          impact: 'Long-term metrics in VictoriaMetrics get gaps; dashboards on the long-term datasource show holes.',
          mitigation: 'Check that VictoriaMetrics is up (VictoriaMetricsDown) and has disk space (VictoriaMetricsDiskRunningOut); then the Prometheus log for the HTTP status of the failed writes.',
        }),
      )
      .alert(remoteWriteBehind(ctx))
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
          impact: 'Alerts do not reach Alertmanager: nobody is notified of anything (the dead man\'s switch notices the missing Watchdog).',
          mitigation: 'Check the Alertmanager pods and the NetworkPolicy from Prometheus to Alertmanager; the Prometheus log names the error.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'PrometheusTSDBCompactionsFailing',
          component: P,
          metric: 'prometheus_tsdb_compactions_failed_total',
          by: ['namespace', 'pod'],
          example: prometheusPod,
          severity: 'warning',
          summary: 'Prometheus fails to compact its TSDB blocks.',
          description: 'Prometheus {{ $labels.namespace }}/{{ $labels.pod }} fails to compact blocks; its disk use and memory grow.',
          impact: 'Uncompacted data takes more disk and memory; retention cannot delete old blocks, so the volume fills.',
          mitigation: 'Look for `compaction failed` in the Prometheus log: a full volume (PersistentVolumeLowOnSpace) or a corrupt block. Free space or grow the PVC; move a corrupt block directory out of `/prometheus`.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'PrometheusTSDBReloadsFailing',
          component: P,
          metric: 'prometheus_tsdb_reloads_failures_total',
          by: ['namespace', 'pod'],
          example: prometheusPod,
          severity: 'warning',
          summary: 'Prometheus fails to reload its TSDB blocks from disk.',
          description: 'Prometheus {{ $labels.namespace }}/{{ $labels.pod }} fails to reload blocks; queries may miss data.',
          impact: 'Persisted blocks are not queryable and retention does not apply to them.',
          mitigation: 'The Prometheus log names the block that fails to open; move it out of `/prometheus` and restart the pod.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'PrometheusTSDBWALCorrupted',
          component: P,
          metric: 'prometheus_tsdb_wal_corruptions_total',
          by: ['namespace', 'pod'],
          example: prometheusPod,
          severity: 'warning',
          for: '1m',
          summary: 'Prometheus found a corrupt write-ahead log.',
          description: 'Prometheus {{ $labels.namespace }}/{{ $labels.pod }} repaired a corrupt WAL; recent samples were lost.',
          impact: 'Samples written shortly before the corruption are lost; a recurring corruption points at a failing volume.',
          mitigation: 'Check the node and the volume (kernel log, storage class); an unclean shutdown (OOM kill, node loss) is the usual cause. If it recurs, move the PVC to healthy storage.',
        }),
      ),
    new RuleGroupBuilder('storage.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'PersistentVolumeLowOnSpace',
        expr: `${volumeFreeRatio(ns)} < ${thresholds.volumeFreeRatio}`,
        for: '5m',
        severity: 'critical',
        summary: `A volume of the observability stack has less than ${freePercent}% free space.`,
        description: 'PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is nearly full.',
        impact: 'When the volume is full its component stops writing: Prometheus and VictoriaMetrics drop samples, Loki rejects logs, Alertmanager loses silences, Grafana cannot save.',
        mitigation:
          'Grow the PVC (`<component>.storage.size`, if the storage class allows expansion) or shorten retention (`prometheus.retention`/`retentionSize`, `loki.retention`, `victoriaMetrics.retention`). The "Volumes" row of the stack health dashboard shows which volume and how fast it fills.',
        test: {
          firing: {
            series: [
              { series: volume('kubelet_volume_stats_available_bytes'), values: `${Math.round((capacity * thresholds.volumeFreeRatio) / 2)}x10` },
              { series: volume('kubelet_volume_stats_capacity_bytes'), values: `${capacity}x10` },
            ],
            at: '7m',
            labels: { job: 'kubelet', ...pvc },
          },
          quiet: {
            series: [
              { series: volume('kubelet_volume_stats_available_bytes'), values: `${Math.round(capacity * Math.min(0.99, thresholds.volumeFreeRatio * 2))}x10` },
              { series: volume('kubelet_volume_stats_capacity_bytes'), values: `${capacity}x10` },
            ],
            at: '7m',
          },
        },
      })
      .alert({
        alert: 'PersistentVolumeFillingUp',
        expr: `predict_linear(${available}[6h], ${fullWithinSeconds}) < 0`,
        for: '15m',
        severity: 'warning',
        summary: `A volume of the observability stack is predicted to fill within ${thresholds.volumeFullWithin}.`,
        description: 'At the rate of the last 6 hours, PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} runs out of space soon.',
        impact: 'Nothing yet; when the volume fills, its component stops storing data (see PersistentVolumeLowOnSpace).',
        mitigation: 'Find what grows (new high-cardinality series, a log flood, a retention that is too long for the size) and fix it, or grow the PVC before it fills.',
        diagnose: [`${volumeFreeRatio(ns)}`],
        test: {
          firing: {
            series: [{ series: volume('kubelet_volume_stats_available_bytes'), values: `${capacity}-${Math.round(hourlyUse / 60)}x${fillAt + 10}` }],
            at: `${fillAt}m`,
            labels: { job: 'kubelet', ...pvc },
          },
          quiet: { series: [{ series: volume('kubelet_volume_stats_available_bytes'), values: `${capacity / 2}x${fillAt + 10}` }], at: `${fillAt}m` },
        },
      }),
  ];
}

/**
 * A remote_write queue has fallen behind: the newest sample it sent is older than
 * `thresholds.remoteWriteBehind` behind the newest sample appended. An unreachable store is not a
 * failure to Prometheus (connection errors and 5xx are retried, from the WAL, with no
 * `samples_failed_total`), so PrometheusRemoteWriteFailing stays quiet while the store is down:
 * this alert is what reports it (the fault suite, test/faults, shows both).
 */
function remoteWriteBehind(ctx: MixinContext): AlertRuleProps {
  const lag = parseDuration(ctx.config.thresholds.remoteWriteBehind)! / 1000;
  const ns = ctx.config.namespaces.monitoring;
  const queue = { namespace: ns, pod: 'prometheus-0' };
  const sent = { ...queue, remote_name: 'victoria-metrics', url: 'http://victoria-metrics:8428/api/v1/write' };
  const newest = 'prometheus_remote_storage_highest_timestamp_in_seconds';
  const newestSent = 'prometheus_remote_storage_queue_highest_sent_timestamp_seconds';
  // Both minute by minute; the queue's stops 20 minutes in (promtool series notation).
  const appended = { series: series(newest, P, queue), values: '0+60x40' };
  return {
    alert: 'PrometheusRemoteWriteBehind',
    // max_over_time: a scrape that misses one of the two series does not end the condition.
    expr:
      `max by (namespace, pod, remote_name, url) (max_over_time(${sel(newest, P)}[5m]) - ignoring (remote_name, url) group_right ` +
      `max_over_time(${sel(newestSent, P)}[5m])) > ${lag}`,
    for: '5m',
    severity: 'warning',
    summary: `A Prometheus remote_write queue is more than ${ctx.config.thresholds.remoteWriteBehind} behind.`,
    description: 'Prometheus {{ $labels.pod }} has not sent its recent samples to {{ $labels.url }}; they wait in its WAL.',
    impact:
      'Long-term metrics lag behind: dashboards on the long-term datasource miss the recent samples. Nothing is lost while the WAL still holds them (about 2 hours); an outage longer than that loses samples.',
    mitigation:
      'Check that VictoriaMetrics is up (VictoriaMetricsDown) and not read-only (VictoriaMetricsDiskRunningOut); the Prometheus log names the errors of the retried writes (`Failed to send batch, retrying`). A queue that is up but slow needs more shards (`queue_config.max_shards`).',
    diagnose: [`${sel('prometheus_remote_storage_samples_pending', P)}`],
    test: {
      firing: {
        series: [appended, { series: series(newestSent, P, sent), values: '0+60x20 1200x20' }],
        at: '35m',
        labels: sent,
      },
      quiet: { series: [appended, { series: series(newestSent, P, sent), values: '0+60x40' }], at: '35m' },
    },
  };
}

/** Prometheus's self-monitoring, the stack's volumes, plus the kubelet/cAdvisor series it scrapes. */
export const PROMETHEUS_MIXIN: Mixin = {
  name: 'prometheus',
  metrics: [...PROMETHEUS_METRICS, ...CADVISOR_METRICS, ...KUBELET_METRICS],
  alertingRules: alerting,
  dashboards: prometheusDashboards,
};
