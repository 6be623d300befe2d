import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const P = ComponentName.PROMETHEUS;

/** cAdvisor (kubelet) series: per-container resource usage. */
export const CADVISOR_METRICS: readonly MetricDef[] = [
  metric('cadvisor', 'container_cpu_usage_seconds_total', MetricType.COUNTER, 'CPU time consumed per container.', { labels: ['namespace', 'pod', 'container', 'cpu'], unit: 'seconds' }),
  metric('cadvisor', 'container_memory_working_set_bytes', MetricType.GAUGE, 'Working set memory per container.', { labels: ['namespace', 'pod', 'container'], unit: 'bytes' }),
  metric('cadvisor', 'container_network_receive_bytes_total', MetricType.COUNTER, 'Bytes received per pod interface.', { labels: ['namespace', 'pod', 'interface'], unit: 'bytes' }),
  metric('cadvisor', 'container_network_transmit_bytes_total', MetricType.COUNTER, 'Bytes sent per pod interface.', { labels: ['namespace', 'pod', 'interface'], unit: 'bytes' }),
];

/** kubelet series: volume usage of every mounted PVC (the kubelet's own /metrics). */
export const KUBELET_METRICS: readonly MetricDef[] = [
  metric('kubelet', 'kubelet_volume_stats_available_bytes', MetricType.GAUGE, 'Available bytes in the volume.', { labels: ['namespace', 'persistentvolumeclaim'], unit: 'bytes' }),
  metric('kubelet', 'kubelet_volume_stats_capacity_bytes', MetricType.GAUGE, 'Capacity in bytes of the volume.', { labels: ['namespace', 'persistentvolumeclaim'], unit: 'bytes' }),
];

/** Prometheus's own series, and the ones it writes for every target. */
export const PROMETHEUS_METRICS: readonly MetricDef[] = [
  metric(P, 'up', MetricType.GAUGE, '1 when the last scrape of the target succeeded.'),
  metric(P, 'scrape_duration_seconds', MetricType.GAUGE, 'Duration of the last scrape.', { unit: 'seconds' }),
  metric(P, 'prometheus_rule_evaluation_failures_total', MetricType.COUNTER, 'Rule evaluations that failed.', { labels: ['rule_group'] }),
  metric(P, 'prometheus_rule_group_last_duration_seconds', MetricType.GAUGE, 'Duration of the last evaluation of a rule group.', { labels: ['rule_group'], unit: 'seconds' }),
  metric(P, 'prometheus_remote_storage_samples_failed_total', MetricType.COUNTER, 'Samples that failed to be sent to remote storage.', { labels: ['remote_name', 'url'] }),
  metric(P, 'prometheus_remote_storage_samples_total', MetricType.COUNTER, 'Samples queued for remote storage.', { labels: ['remote_name', 'url'] }),
  metric(P, 'prometheus_remote_storage_samples_pending', MetricType.GAUGE, 'Samples read from the WAL and not yet sent to remote storage.', { labels: ['remote_name', 'url'] }),
  metric(P, 'prometheus_remote_storage_highest_timestamp_in_seconds', MetricType.GAUGE, 'Timestamp of the newest sample appended to the WAL.', { unit: 'seconds' }),
  metric(P, 'prometheus_remote_storage_queue_highest_sent_timestamp_seconds', MetricType.GAUGE, 'Timestamp of the newest sample a remote_write queue sent successfully.', {
    labels: ['remote_name', 'url'],
    unit: 'seconds',
  }),
  metric(P, 'prometheus_notifications_errors_total', MetricType.COUNTER, 'Errors sending alerts to Alertmanager.', { labels: ['alertmanager'] }),
  metric(P, 'prometheus_tsdb_head_series', MetricType.GAUGE, 'Series in the head block.'),
  metric(P, 'prometheus_tsdb_compactions_failed_total', MetricType.COUNTER, 'Compactions of blocks that failed.'),
  metric(P, 'prometheus_tsdb_reloads_failures_total', MetricType.COUNTER, 'Reloads of the block directory that failed.'),
  metric(P, 'prometheus_tsdb_wal_corruptions_total', MetricType.COUNTER, 'WAL corruptions found (and repaired, losing data) at start.'),
  metric(P, 'ALERTS', MetricType.GAUGE, 'Pending and firing alerts, written by Prometheus for every alerting rule.', { labels: ['alertname', 'alertstate', 'severity'] }),
];
