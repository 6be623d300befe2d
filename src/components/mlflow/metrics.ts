import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const M = ComponentName.MLFLOW;

/** Requests served (prometheus-flask-exporter, `defaults_prefix="mlflow"`; /health, /version and /metrics are not counted). */
/** The FL server's counter of MLflow calls that failed (its catalog entry is the FL workload's). */
export const TRACKING_FAILURES = 'fl_mlflow_failures_total';
export const MLFLOW_REQUESTS = 'mlflow_http_request_total';
/** Their duration; `mlflow_version` is the exporter's `group_by` label (the server's release). */
export const MLFLOW_REQUEST_DURATION = 'mlflow_http_request_duration_seconds';

/**
 * What `mlflow server --expose-prometheus` exports, as read from a running 3.17.2 with
 * prometheus-flask-exporter 0.23.2 (the `-full` image's). In multiprocess mode a series appears
 * with its first request. (The `mlflow_otlp_*` histograms of trace ingestion are left out: the stack
 * sends no traces.)
 */
export const MLFLOW_METRICS: readonly MetricDef[] = [
  metric(M, MLFLOW_REQUESTS, MetricType.COUNTER, 'HTTP requests the tracking server answered, by method and status code.', { labels: ['method', 'status'] }),
  metric(M, MLFLOW_REQUEST_DURATION, MetricType.HISTOGRAM, 'Duration of the HTTP requests, by method and status code.', {
    labels: ['method', 'status', 'mlflow_version'],
    unit: 'seconds',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  }),
  metric(M, 'mlflow_exporter_info', MetricType.GAUGE, "The Prometheus exporter's version; value is always 1.", { labels: ['version'] }),
];
