import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const E = ComponentName.KUBE_STATE_METRICS;
const POD = ['namespace', 'pod'];
const CONTAINER = ['namespace', 'pod', 'container'];
/** A Kubernetes Job's series name it by `job_name` (`job` is the scrape job). */
const JOB = ['namespace', 'job_name'];

/** kube-state-metrics series used by the stack (scraped with honor_labels: their namespace/pod are the objects'). */
export const KUBE_STATE_METRICS: readonly MetricDef[] = [
  metric(E, 'kube_pod_container_status_restarts_total', MetricType.COUNTER, 'Container restarts.', { labels: CONTAINER }),
  metric(E, 'kube_pod_container_status_waiting_reason', MetricType.GAUGE, 'Why a container is waiting.', { labels: [...CONTAINER, 'reason'] }),
  metric(E, 'kube_pod_container_status_last_terminated_reason', MetricType.GAUGE, 'Why a container last terminated.', { labels: [...CONTAINER, 'reason'] }),
  metric(E, 'kube_pod_status_ready', MetricType.GAUGE, 'Pod readiness.', { labels: [...POD, 'condition'] }),
  metric(E, 'kube_pod_status_phase', MetricType.GAUGE, 'Pod phase.', { labels: [...POD, 'phase'] }),
  metric(E, 'kube_pod_container_resource_requests', MetricType.GAUGE, 'Requested resources per container.', { labels: [...CONTAINER, 'node', 'resource', 'unit'] }),
  metric(E, 'kube_pod_info', MetricType.GAUGE, 'Pod placement and creator.', { labels: [...POD, 'uid', 'node', 'host_ip', 'pod_ip', 'created_by_kind', 'created_by_name', 'priority_class'] }),
  metric(E, 'kube_pod_owner', MetricType.GAUGE, 'Owner of a pod (a Job for training pods).', { labels: [...POD, 'owner_kind', 'owner_name', 'owner_is_controller'] }),
  metric(E, 'kube_job_info', MetricType.GAUGE, 'A Job exists.', { labels: JOB }),
  metric(E, 'kube_job_status_active', MetricType.GAUGE, 'Running pods of a Job.', { labels: JOB }),
  metric(E, 'kube_job_status_succeeded', MetricType.GAUGE, 'Pods of a Job that succeeded.', { labels: JOB }),
  metric(E, 'kube_job_status_failed', MetricType.GAUGE, 'Pods of a Job that failed (retried up to its backoffLimit).', { labels: JOB }),
  metric(E, 'kube_job_status_start_time', MetricType.GAUGE, 'When a Job started.', { labels: JOB, unit: 'seconds' }),
  metric(E, 'kube_job_status_completion_time', MetricType.GAUGE, 'When a Job completed.', { labels: JOB, unit: 'seconds' }),
  metric(E, 'kube_job_complete', MetricType.GAUGE, 'The Job\'s Complete condition (1 on the series of its status).', { labels: [...JOB, 'condition'] }),
  metric(E, 'kube_job_failed', MetricType.GAUGE, 'The Job\'s Failed condition (1 on the series of its status).', { labels: [...JOB, 'condition'] }),
  metric(E, 'kube_node_status_condition', MetricType.GAUGE, 'Node conditions.', { labels: ['node', 'condition', 'status'] }),
];
