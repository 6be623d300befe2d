import { ComponentName } from '../../common/names';
import {
  dashboard,
  dashboardDef,
  DashboardFolder,
  defaultMetricsDatasource,
  labelValues,
  promQuery,
  statPanel,
  timeseriesPanel,
  Unit,
  type RowSpec,
} from '../../monitoring/dashboard';
import type { DashboardDef, MixinContext, MonitoredWorkload } from '../../monitoring/mixin';
import { sel } from '../../monitoring/selectors';

const { PROMETHEUS, ALERTMANAGER, LOKI, PROMTAIL, VICTORIA_METRICS, FLUENTD, OTEL_COLLECTOR } = ComponentName;
/** The stack's components are spread over namespaces: `namespace` is a multi-select here. */
const NS = { namespace: '~$namespace' };
/** Targets of the jobs picked in the `job` variable. */
const TARGETS = { job: '~$job', namespace: '~$namespace' };

/** Deployed workloads, in the order of the names' vocabulary ({@link ComponentName}), optionally only those with volumes. */
function deployedNames(deployed: readonly MonitoredWorkload[], onlyWithVolumes = false): ComponentName[] {
  const names = new Set(deployed.filter((w) => !onlyWithVolumes || (w.persistentVolume ?? false)).map((w) => w.name));
  return Object.values(ComponentName).filter((name) => names.has(name));
}

/** Jobs of the stack's scrape targets (`job` = app.kubernetes.io/name of each deployed workload, plus the kubelet jobs). */
export function stackJobs(deployed: readonly MonitoredWorkload[]): string[] {
  return [...deployedNames(deployed), 'kubelet', 'cadvisor'];
}

/** Used fraction of a component's volumes, per claim. */
function volumeUsed(component: ComponentName): string {
  const claims = { ...NS, persistentvolumeclaim: `~.*${component}.*` };
  const by = (metric: string): string => `sum by (persistentvolumeclaim) (${sel(metric, 'kubelet', claims)})`;
  return `1 - ${by('kubelet_volume_stats_available_bytes')} / ${by('kubelet_volume_stats_capacity_bytes')}`;
}

/** Per-second rate of a counter of a component, summed by some labels. */
function rateBy(by: string, metric: string, component: ComponentName, extra: Readonly<Record<string, string>> = NS): string {
  return `sum by (${by}) (rate(${sel(metric, component, extra)}[$__rate_interval]))`;
}

/** Change of a cumulative gauge over the interval, restarts (drops) counted as zero. */
function gaugeIncreaseBy(by: string, metric: string, component: ComponentName): string {
  return `sum by (${by}) (clamp_min(delta(${sel(metric, component, NS)}[$__rate_interval]), 0))`;
}

/** The queries of the stack health dashboard (layout below). */
function stackQueries(deployed: readonly MonitoredWorkload[]) {
  return {
    jobs: labelValues(sel('up', PROMETHEUS, { job: `~${stackJobs(deployed).join('|')}`, ...NS }), 'job'),
    targetsUp: `sum by (job) (${sel('up', PROMETHEUS, TARGETS)})`,
    targetsDown: `count(${sel('up', PROMETHEUS, TARGETS)} == 0) or vector(0)`,
    targetsTotal: `count(${sel('up', PROMETHEUS, TARGETS)})`,
    scrapeDuration: `max by (job) (${sel('scrape_duration_seconds', PROMETHEUS, TARGETS)})`,
    ruleFailures: rateBy('rule_group', 'prometheus_rule_evaluation_failures_total', PROMETHEUS),
    ruleGroupDuration: `max by (rule_group) (${sel('prometheus_rule_group_last_duration_seconds', PROMETHEUS, NS)})`,
    headSeries: `sum by (pod) (${sel('prometheus_tsdb_head_series', PROMETHEUS, NS)})`,
    remoteSent: rateBy('remote_name', 'prometheus_remote_storage_samples_total', PROMETHEUS),
    remoteFailed: rateBy('remote_name', 'prometheus_remote_storage_samples_failed_total', PROMETHEUS),
    alertDeliveryErrors: rateBy('alertmanager', 'prometheus_notifications_errors_total', PROMETHEUS),
    notifications: rateBy('integration', 'alertmanager_notifications_total', ALERTMANAGER),
    notificationsFailed: rateBy('integration', 'alertmanager_notifications_failed_total', ALERTMANAGER),
    alertsByState: `max by (state) (${sel('alertmanager_alerts', ALERTMANAGER, NS)})`,
    lokiLines: rateBy('tenant', 'loki_distributor_lines_received_total', LOKI),
    lokiBytes: rateBy('tenant', 'loki_distributor_bytes_received_total', LOKI),
    lokiErrors: rateBy('route, status_code', 'loki_request_duration_seconds_count', LOKI, { ...NS, status_code: '~5..' }),
    lokiP99: `histogram_quantile(0.99, ${rateBy('le, route', 'loki_request_duration_seconds_bucket', LOKI)})`,
    vmRows: rateBy('type', 'vm_rows_inserted_total', VICTORIA_METRICS),
    vmFreeDisk: `min by (path) (${sel('vm_free_disk_space_bytes', VICTORIA_METRICS, NS)})`,
    vmDataSize: `sum by (type) (${sel('vm_data_size_bytes', VICTORIA_METRICS, NS)})`,
    otelAccepted: rateBy('pod', 'otelcol_receiver_accepted_log_records', OTEL_COLLECTOR),
    otelSent: rateBy('pod', 'otelcol_exporter_sent_log_records', OTEL_COLLECTOR),
    otelFailed: rateBy('pod', 'otelcol_exporter_send_failed_log_records', OTEL_COLLECTOR),
    otelRefused: rateBy('pod', 'otelcol_receiver_refused_log_records', OTEL_COLLECTOR),
    otelQueue: `max by (pod) (${sel('otelcol_exporter_queue_size', OTEL_COLLECTOR, NS)} / ${sel('otelcol_exporter_queue_capacity', OTEL_COLLECTOR, NS)})`,
    promtailSent: rateBy('pod', 'promtail_sent_entries_total', PROMTAIL),
    promtailDropped: rateBy('reason', 'promtail_dropped_entries_total', PROMTAIL),
    fluentdErrors: gaugeIncreaseBy('plugin_id', 'fluentd_output_status_num_errors', FLUENTD),
    fluentdRetries: gaugeIncreaseBy('plugin_id', 'fluentd_output_status_retry_count', FLUENTD),
    fluentdEmitted: gaugeIncreaseBy('plugin_id', 'fluentd_output_status_emit_records', FLUENTD),
    fluentdQueue: `max by (plugin_id) (${sel('fluentd_output_status_buffer_queue_length', FLUENTD, NS)})`,
  };
}

/** Health of the observability stack itself: scrapes, rules, remote write, alerting, logs pipeline. */
export function prometheusDashboards(ctx: MixinContext): DashboardDef[] {
  const { config } = ctx;
  const q = stackQueries(ctx.deployed);
  const rows: RowSpec[] = [
    {
      title: 'Scrape targets',
      panels: [
        statPanel('Targets', Unit.NONE, [promQuery(q.targetsTotal, 'targets')], { width: 4, height: 8, decimals: 0 }),
        statPanel('Targets down', Unit.NONE, [promQuery(q.targetsDown, 'down')], { width: 4, height: 8, decimals: 0, threshold: { value: 1 } }),
        timeseriesPanel('Targets up by job', Unit.NONE, [promQuery(q.targetsUp, '{{job}}')], {
          width: 16,
          decimals: 0,
          description: 'Targets whose last scrape succeeded, per job.',
        }),
        timeseriesPanel('Scrape duration', Unit.SECONDS, [promQuery(q.scrapeDuration, '{{job}}')], {
          width: 24,
          description: `Slowest target per job; the scrape interval is ${config.scrapeInterval}.`,
          legendCalcs: ['mean', 'max'],
        }),
      ],
    },
    {
      title: 'Prometheus',
      panels: [
        timeseriesPanel('Rule evaluation failures', Unit.PER_SECOND, [promQuery(q.ruleFailures, '{{rule_group}}')], { width: 8 }),
        timeseriesPanel('Rule group duration', Unit.SECONDS, [promQuery(q.ruleGroupDuration, '{{rule_group}}')], {
          width: 8,
          description: `Last evaluation of each group; the evaluation interval is ${config.evaluationInterval}.`,
        }),
        timeseriesPanel('Head series', Unit.SHORT, [promQuery(q.headSeries, '{{pod}}')], { width: 8 }),
        ...(config.victoriaMetrics.enabled
          ? [
              timeseriesPanel('Remote write: samples sent vs failed', Unit.PER_SECOND, [
                promQuery(q.remoteSent, '{{remote_name}} sent'),
                promQuery(q.remoteFailed, '{{remote_name}} failed'),
              ], { description: 'Samples Prometheus queues for VictoriaMetrics, and those that failed.' }),
            ]
          : []),
        ...(config.alertmanager.enabled
          ? [timeseriesPanel('Alert delivery errors', Unit.PER_SECOND, [promQuery(q.alertDeliveryErrors, '{{alertmanager}}')], {
              description: 'Errors sending alerts from Prometheus to Alertmanager.',
            })]
          : []),
      ],
    },
  ];
  if (config.alertmanager.enabled) {
    rows.push({
      title: 'Alertmanager',
      panels: [
        timeseriesPanel('Notifications', Unit.PER_SECOND, [promQuery(q.notifications, '{{integration}}')], { width: 8 }),
        timeseriesPanel('Failed notifications', Unit.PER_SECOND, [promQuery(q.notificationsFailed, '{{integration}}')], { width: 8 }),
        timeseriesPanel('Alerts by state', Unit.NONE, [promQuery(q.alertsByState, '{{state}}')], { width: 8, decimals: 0 }),
      ],
    });
  }
  if (config.loki.enabled) {
    rows.push({
      title: 'Loki',
      panels: [
        timeseriesPanel('Lines received', Unit.PER_SECOND, [promQuery(q.lokiLines, '{{tenant}}')], { width: 6 }),
        timeseriesPanel('Bytes received', Unit.BYTES_PER_SECOND, [promQuery(q.lokiBytes, '{{tenant}}')], { width: 6 }),
        timeseriesPanel('Request errors (5xx)', Unit.PER_SECOND, [promQuery(q.lokiErrors, '{{route}} {{status_code}}')], { width: 6 }),
        timeseriesPanel('Request latency p99', Unit.SECONDS, [promQuery(q.lokiP99, '{{route}}')], { width: 6 }),
      ],
    });
  }
  if (config.victoriaMetrics.enabled) {
    rows.push({
      title: 'VictoriaMetrics',
      panels: [
        timeseriesPanel('Rows inserted', Unit.ROWS_PER_SECOND, [promQuery(q.vmRows, '{{type}}')], { width: 8 }),
        timeseriesPanel('Free disk space', Unit.BYTES, [promQuery(q.vmFreeDisk, '{{path}}')], { width: 8 }),
        timeseriesPanel('Data size', Unit.BYTES, [promQuery(q.vmDataSize, '{{type}}')], { width: 8, stack: true }),
      ],
    });
  }
  // Rows of other components (e.g. MLflow), from their mixins.
  rows.push(...(ctx.stackHealthRows ?? []));
  // PVC-backed workloads: their claims are named after them (StatefulSets: `data-<name>-<ordinal>`, Grafana: `<name>-data`).
  const volumes = deployedNames(ctx.deployed, true);
  if (volumes.length > 0) {
    rows.push({
      title: 'Volumes',
      panels: volumes.map((component) =>
        timeseriesPanel(`Volume used: ${component}`, Unit.RATIO, [promQuery(volumeUsed(component), '{{persistentvolumeclaim}}')], {
          width: Math.max(6, Math.floor(24 / volumes.length)),
          threshold: { value: 1 - config.thresholds.volumeFreeRatio },
          description: `Used fraction of each ${component} PVC (kubelet volume stats); dashed line: PersistentVolumeLowOnSpace.`,
        }),
      ),
    });
  }
  const logAgents: RowSpec['panels'][number][] = [];
  if (config.otelCollector.enabled) {
    logAgents.push(
      timeseriesPanel('Collector records read vs sent', Unit.PER_SECOND, [
        promQuery(q.otelAccepted, '{{pod}} read'),
        promQuery(q.otelSent, '{{pod}} sent'),
      ], { width: 8, description: 'Log records the OpenTelemetry Collector read from pod logs, and those it sent to Loki.' }),
      timeseriesPanel('Collector records failed or refused', Unit.PER_SECOND, [
        promQuery(q.otelFailed, '{{pod}} send failed'),
        promQuery(q.otelRefused, '{{pod}} refused'),
      ], { width: 8, description: 'Records dropped after the exporter gave up, and records the pipeline refused (memory limit, full queue).' }),
      timeseriesPanel('Collector send queue', Unit.RATIO, [promQuery(q.otelQueue, '{{pod}}')], {
        width: 8,
        description: `Fill of the persistent send queue; OtelCollectorQueueNearlyFull fires above ${config.thresholds.logQueueUtilization * 100}%.`,
      }),
    );
  }
  if (config.promtail.enabled) {
    logAgents.push(
      timeseriesPanel('Promtail entries sent', Unit.PER_SECOND, [promQuery(q.promtailSent, '{{pod}}')], { width: 12 }),
      timeseriesPanel('Promtail entries dropped', Unit.PER_SECOND, [promQuery(q.promtailDropped, '{{reason}}')], { width: 12 }),
    );
  }
  if (config.fluentd.enabled) {
    logAgents.push(
      timeseriesPanel('Fluentd records emitted', Unit.SHORT, [promQuery(q.fluentdEmitted, '{{plugin_id}}')], {
        width: 6,
        bars: true,
        description: 'Records written by each output per interval.',
      }),
      timeseriesPanel('Fluentd output errors', Unit.SHORT, [promQuery(q.fluentdErrors, '{{plugin_id}}')], { width: 6, bars: true }),
      timeseriesPanel('Fluentd output retries', Unit.SHORT, [promQuery(q.fluentdRetries, '{{plugin_id}}')], { width: 6, bars: true }),
      timeseriesPanel('Fluentd buffer queue', Unit.SHORT, [promQuery(q.fluentdQueue, '{{plugin_id}}')], {
        width: 6,
        description: 'Chunks queued in each output buffer.',
      }),
    );
  }
  if (logAgents.length > 0) {
    rows.push({ title: 'Log agents', panels: logAgents });
  }

  const health = dashboard('fl-stack-health', 'Observability stack health', {
    tags: ['stack', 'prometheus'],
    description: 'Health of the observability stack: scrape targets, Prometheus rules and remote write, Alertmanager, Loki, VictoriaMetrics and the log agents.',
    namespace: { multi: true },
    job: q.jobs,
    metricsDatasource: defaultMetricsDatasource(config),
    rows,
  });
  return [dashboardDef(health, DashboardFolder.STACK)];
}
