import { prometheusDashboards, stackJobs } from '../../../src/components/prometheus/dashboards';
import { deployedWorkloads } from '../../../src/component-list';
import { DashboardFolder } from '../../../src/monitoring/dashboard';
import { dashboardsProblems } from '../../../src/monitoring/dashboard-check';
import { contextOf, panel, exprsOf, variable } from '../../dashboard-helpers';
import { resolveConfig } from '../../../src/config/loader';
import type { DashboardDef } from '../../../src/monitoring/mixin';

describe('stack health dashboard', () => {
  const ctx = contextOf();
  const [health] = prometheusDashboards(ctx) as [DashboardDef];

  test('one dashboard, fl-stack-health, in the Observability Stack folder', () => {
    expect(prometheusDashboards(ctx).map((d) => [d.uid, d.folder])).toEqual([['fl-stack-health', DashboardFolder.STACK]]);
  });

  test('no problem', () => {
    expect(dashboardsProblems([health], ctx)).toEqual([]);
  });

  test('targets up by job and scrape duration, filtered by the job and namespace variables', () => {
    expect(panel(health, 'Targets up by job').targets![0]).toMatchObject({
      expr: 'sum by (job) (up{job=~"$job", namespace=~"$namespace"})',
      legendFormat: '{{job}}',
    });
    expect(panel(health, 'Scrape duration').targets![0]!.expr).toBe('max by (job) (scrape_duration_seconds{job=~"$job", namespace=~"$namespace"})');
    expect(panel(health, 'Scrape duration').fieldConfig!.defaults!.unit).toBe('s');
  });

  test('job variable lists the jobs of the enabled components; namespace is a multi-select', () => {
    const jobs = stackJobs(ctx.deployed);
    expect(jobs).toContain('fl-server');
    expect(jobs).toContain('cadvisor');
    expect(jobs).not.toContain('dcgm-exporter'); // disabled on minikube
    expect(variable(health, 'job')).toMatchObject({ multi: true, query: `label_values(up{job=~"${jobs.join('|')}", namespace=~"$namespace"}, job)` });
    expect(variable(health, 'namespace')).toMatchObject({ multi: true, query: 'label_values(up, namespace)' });
  });

  test('rules, remote write, Alertmanager, Loki, VictoriaMetrics, OpenTelemetry Collector and Fluentd panels', () => {
    const exprs = exprsOf(health).join('\n');
    for (const m of [
      'prometheus_rule_evaluation_failures_total{job="prometheus"',
      'prometheus_rule_group_last_duration_seconds{job="prometheus"',
      'prometheus_remote_storage_samples_total{job="prometheus"',
      'prometheus_remote_storage_samples_failed_total{job="prometheus"',
      'alertmanager_notifications_total{job="alertmanager"',
      'alertmanager_notifications_failed_total{job="alertmanager"',
      'loki_distributor_lines_received_total{job="loki"',
      'loki_distributor_bytes_received_total{job="loki"',
      'loki_request_duration_seconds_count{job="loki", namespace=~"$namespace", status_code=~"5.."}',
      'vm_rows_inserted_total{job="victoria-metrics"',
      'vm_free_disk_space_bytes{job="victoria-metrics"',
      'otelcol_receiver_accepted_log_records{job="otel-collector"',
      'otelcol_exporter_sent_log_records{job="otel-collector"',
      'otelcol_exporter_send_failed_log_records{job="otel-collector"',
      'otelcol_receiver_refused_log_records{job="otel-collector"',
      'otelcol_exporter_queue_size{job="otel-collector", namespace=~"$namespace"} / otelcol_exporter_queue_capacity{job="otel-collector", namespace=~"$namespace"}',
      'fluentd_output_status_num_errors{job="fluentd"',
      'fluentd_output_status_retry_count{job="fluentd"',
      'fluentd_output_status_buffer_queue_length{job="fluentd"',
    ]) {
      expect(exprs).toContain(m);
    }
    expect(panel(health, 'Failed notifications').targets![0]!.legendFormat).toBe('{{integration}}');
    expect(panel(health, 'Remote write: samples sent vs failed').targets!.map((t) => t.legendFormat)).toEqual([
      '{{remote_name}} sent',
      '{{remote_name}} failed',
    ]);
  });

  test('Fluentd cumulative gauges are not rated (delta, restarts clamped)', () => {
    expect(panel(health, 'Fluentd output errors').targets![0]!.expr).toBe(
      'sum by (plugin_id) (clamp_min(delta(fluentd_output_status_num_errors{job="fluentd", namespace=~"$namespace"}[$__rate_interval]), 0))',
    );
  });

  test('panels of disabled components are left out', () => {
    const config = resolveConfig({ overrides: { alertmanager: { enabled: false }, victoriaMetrics: { enabled: false }, fluentd: { enabled: false } } });
    const [d] = prometheusDashboards(contextOf(config)) as [DashboardDef];
    const exprs = exprsOf(d).join('\n');
    expect(exprs).not.toMatch(/alertmanager_|prometheus_notifications_errors_total|vm_|prometheus_remote_storage|fluentd_/);
    expect(exprs).toMatch(/loki_distributor_lines_received_total/);
    expect(exprs).toMatch(/otelcol_exporter_sent_log_records/);
    expect(dashboardsProblems([d], contextOf(config))).toEqual([]);
  });

  test('the log agents row follows the selected node agent: the collector, or Promtail instead', () => {
    const exprs = (overrides: Record<string, unknown>) => exprsOf(prometheusDashboards(contextOf(resolveConfig({ overrides })))[0]!).join('\n');
    expect(exprs({})).not.toMatch(/promtail_/);
    const promtail = exprs({ promtail: { enabled: true }, otelCollector: { enabled: false } });
    expect(promtail).toMatch(/promtail_sent_entries_total\{job="promtail"/);
    expect(promtail).not.toMatch(/otelcol_/);
    expect(stackJobs(deployedWorkloads(resolveConfig()))).toContain('otel-collector');
    expect(stackJobs(deployedWorkloads(resolveConfig()))).not.toContain('promtail');
  });

  test('with Prometheus disabled, VictoriaMetrics is the default datasource', () => {
    const config = resolveConfig({ overrides: { prometheus: { enabled: false } } });
    const [d] = prometheusDashboards(contextOf(config)) as [DashboardDef];
    expect(variable(d, 'datasource')?.current?.value).toBe('victoriametrics');
  });
});
