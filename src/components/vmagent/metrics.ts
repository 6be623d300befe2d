import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const A = ComponentName.VMAGENT;

/** vmagent's own metrics that monitoring of the sites uses (remote write and its on-disk queue). */
export const VMAGENT_METRICS: readonly MetricDef[] = [
  metric(A, 'vmagent_remotewrite_requests_total', MetricType.COUNTER, 'Remote-write requests, by status code.', { labels: ['url', 'status_code'] }),
  metric(A, 'vmagent_remotewrite_retries_count_total', MetricType.COUNTER, 'Remote-write requests retried after a failure.', { labels: ['url'] }),
  metric(A, 'vmagent_remotewrite_pending_data_bytes', MetricType.GAUGE, 'Data waiting in the on-disk queue.', { labels: ['path', 'url'], unit: 'bytes' }),
  metric(A, 'vmagent_remotewrite_samples_dropped_total', MetricType.COUNTER, 'Samples dropped after the remote write failed for good.', { labels: ['path', 'url'] }),
  metric(A, 'vmagent_remotewrite_packets_dropped_total', MetricType.COUNTER, 'Blocks the central store rejected (4xx), dropped without retry.', { labels: ['url'] }),
  metric(A, 'vm_persistentqueue_bytes_dropped_total', MetricType.COUNTER, 'Data dropped because the on-disk queue was full.', { labels: ['path'], unit: 'bytes' }),
  metric(A, 'vmagent_remotewrite_rows_pushed_after_relabel_total', MetricType.COUNTER, 'Samples queued for the remote write.', { labels: ['path', 'url'] }),
];
