import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const E = ComponentName.KUBE_STATE_METRICS;
const POD = ['namespace', 'pod'];
const CONTAINER = ['namespace', 'pod', 'container'];

/** kube-state-metrics series used by the stack (scraped with honor_labels: their namespace/pod are the objects'). */
export const KUBE_STATE_METRICS: readonly MetricDef[] = [
  metric(E, 'kube_pod_container_status_restarts_total', MetricType.COUNTER, 'Container restarts.', { labels: CONTAINER }),
  metric(E, 'kube_pod_container_status_waiting_reason', MetricType.GAUGE, 'Why a container is waiting.', { labels: [...CONTAINER, 'reason'] }),
  metric(E, 'kube_pod_container_status_last_terminated_reason', MetricType.GAUGE, 'Why a container last terminated.', { labels: [...CONTAINER, 'reason'] }),
  metric(E, 'kube_pod_status_ready', MetricType.GAUGE, 'Pod readiness.', { labels: [...POD, 'condition'] }),
  metric(E, 'kube_pod_status_phase', MetricType.GAUGE, 'Pod phase.', { labels: [...POD, 'phase'] }),
  metric(E, 'kube_pod_container_resource_requests', MetricType.GAUGE, 'Requested resources per container.', { labels: [...CONTAINER, 'node', 'resource', 'unit'] }),
  metric(E, 'kube_node_status_condition', MetricType.GAUGE, 'Node conditions.', { labels: ['node', 'condition', 'status'] }),
];
