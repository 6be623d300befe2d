import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const A = ComponentName.ALERTMANAGER;

export const ALERTMANAGER_METRICS: readonly MetricDef[] = [
  metric(A, 'alertmanager_notifications_total', MetricType.COUNTER, 'Notifications attempted.', { labels: ['integration'] }),
  metric(A, 'alertmanager_notifications_failed_total', MetricType.COUNTER, 'Notifications that failed.', { labels: ['integration', 'reason'] }),
  metric(A, 'alertmanager_alerts', MetricType.GAUGE, 'Alerts by state.', { labels: ['state'] }),
];
