import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const F = ComponentName.FLUENTD;
const OUT = ['plugin_id', 'type'];

export const FLUENTD_METRICS: readonly MetricDef[] = [
  metric(F, 'fluentd_output_status_emit_records', MetricType.GAUGE, 'Records emitted by an output (cumulative).', { labels: OUT }),
  metric(F, 'fluentd_output_status_num_errors', MetricType.GAUGE, 'Errors of an output (cumulative).', { labels: OUT }),
  metric(F, 'fluentd_output_status_retry_count', MetricType.GAUGE, 'Retries of an output (cumulative).', { labels: OUT }),
  metric(F, 'fluentd_output_status_buffer_queue_length', MetricType.GAUGE, 'Chunks queued in an output buffer.', { labels: OUT }),
];
