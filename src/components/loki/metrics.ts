import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const L = ComponentName.LOKI;

export const LOKI_METRICS: readonly MetricDef[] = [
  metric(L, 'loki_distributor_lines_received_total', MetricType.COUNTER, 'Log lines received.', { labels: ['tenant'] }),
  metric(L, 'loki_distributor_bytes_received_total', MetricType.COUNTER, 'Log bytes received.', { labels: ['tenant'], unit: 'bytes' }),
  metric(L, 'loki_discarded_samples_total', MetricType.COUNTER, 'Log lines rejected at ingestion, by reason (rate_limited, too_far_behind, line_too_long, …).', { labels: ['reason', 'tenant'] }),
  metric(L, 'loki_request_duration_seconds', MetricType.HISTOGRAM, 'Request latency by route and status.', { labels: ['method', 'route', 'status_code', 'ws'], unit: 'seconds' }),
];
