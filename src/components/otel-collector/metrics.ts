import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const O = ComponentName.OTEL_COLLECTOR;
/** Component ids are the label values: `receiver="file_log"`, `exporter="otlp_http"`, `processor="memory_limiter"`. */
const RECEIVER = ['receiver', 'transport'];
/** HTTP exporters add server_address, server_port and url_path to their counters. */
const EXPORTER = ['exporter'];
const QUEUE = ['exporter', 'data_type'];

/**
 * The collector's internal telemetry as v0.165's Prometheus pull reader exposes it: counters keep
 * their OpenTelemetry names, without a `_total` suffix (seen in test/tools/otelcol-run.test.ts).
 */
export const OTEL_COLLECTOR_METRICS: readonly MetricDef[] = [
  metric(O, 'otelcol_receiver_accepted_log_records', MetricType.COUNTER, 'Log records a receiver pushed into the pipeline.', { labels: RECEIVER }),
  metric(O, 'otelcol_receiver_refused_log_records', MetricType.COUNTER, 'Log records a receiver could not push into the pipeline.', { labels: RECEIVER }),
  metric(O, 'otelcol_processor_memory_limiter_refused_log_records', MetricType.COUNTER, 'Log records the memory limiter refused.', { labels: ['processor'] }),
  metric(O, 'otelcol_exporter_sent_log_records', MetricType.COUNTER, 'Log records an exporter sent.', { labels: [...EXPORTER, 'server_address', 'server_port', 'url_path'] }),
  metric(O, 'otelcol_exporter_send_failed_log_records', MetricType.COUNTER, 'Log records an exporter failed to send (dropped).', { labels: [...EXPORTER, 'error_type'] }),
  metric(O, 'otelcol_exporter_enqueue_failed_log_records', MetricType.COUNTER, 'Log records an exporter could not queue (queue full).', { labels: EXPORTER }),
  metric(O, 'otelcol_exporter_queue_size', MetricType.GAUGE, 'Requests in an exporter sending queue.', { labels: QUEUE }),
  metric(O, 'otelcol_exporter_queue_capacity', MetricType.GAUGE, 'Capacity of an exporter sending queue, in requests.', { labels: QUEUE }),
];
