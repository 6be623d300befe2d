import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const P = ComponentName.PROMTAIL;

export const PROMTAIL_METRICS: readonly MetricDef[] = [
  metric(P, 'promtail_sent_entries_total', MetricType.COUNTER, 'Log entries sent to Loki.', { labels: ['host'] }),
  metric(P, 'promtail_dropped_entries_total', MetricType.COUNTER, 'Log entries dropped after retries.', { labels: ['host', 'reason'] }),
  metric(P, 'promtail_request_duration_seconds', MetricType.HISTOGRAM, 'Push request latency.', { labels: ['host', 'status_code'], unit: 'seconds' }),
];
