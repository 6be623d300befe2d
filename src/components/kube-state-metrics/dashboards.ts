import { ComponentName } from '../../common/names';
import {
  dashboard,
  dashboardDef,
  DashboardFolder,
  defaultMetricsDatasource,
  labelValues,
  promQuery,
  statPanel,
  timeseriesPanel,
  Unit,
} from '../../monitoring/dashboard';
import type { DashboardDef, MixinContext } from '../../monitoring/mixin';
import { sel } from '../../monitoring/selectors';

const NODE_EXPORTER = ComponentName.NODE_EXPORTER;
const KSM = ComponentName.KUBE_STATE_METRICS;
const CADVISOR = 'cadvisor';
/** Nodes picked in the `node` variable (the scrape's `node` label). */
const NODES = { node: '~$node' };
/** Containers of the selected namespace (cAdvisor's cgroup aggregates have no container). */
const CONTAINERS = { namespace: '$namespace', container: '~.+' };
const PODS = { namespace: '$namespace' };

/** The queries of the cluster resources dashboard (layout below). */
const queries = {
  nodes: labelValues(sel('node_load1', NODE_EXPORTER), 'node'),
  nodeCpu: `1 - avg by (node) (rate(${sel('node_cpu_seconds_total', NODE_EXPORTER, { ...NODES, mode: 'idle' })}[$__rate_interval]))`,
  nodeMemory:
    `1 - sum by (node) (${sel('node_memory_MemAvailable_bytes', NODE_EXPORTER, NODES)})` +
    ` / sum by (node) (${sel('node_memory_MemTotal_bytes', NODE_EXPORTER, NODES)})`,
  nodeMemoryAvailable: `sum by (node) (${sel('node_memory_MemAvailable_bytes', NODE_EXPORTER, NODES)})`,
  nodeDisk:
    `1 - max by (node, mountpoint) (${sel('node_filesystem_avail_bytes', NODE_EXPORTER, { ...NODES, mountpoint: '/' })})` +
    ` / max by (node, mountpoint) (${sel('node_filesystem_size_bytes', NODE_EXPORTER, { ...NODES, mountpoint: '/' })})`,
  nodeLoad: `max by (node) (${sel('node_load1', NODE_EXPORTER, NODES)})`,
  nodeReceive: `sum by (node) (rate(${sel('node_network_receive_bytes_total', NODE_EXPORTER, NODES)}[$__rate_interval]))`,
  nodeTransmit: `sum by (node) (rate(${sel('node_network_transmit_bytes_total', NODE_EXPORTER, NODES)}[$__rate_interval]))`,
  notReadyNodes: `sum by (node, condition) (${sel('kube_node_status_condition', KSM, {
    ...NODES,
    condition: '~MemoryPressure|DiskPressure|PIDPressure|NetworkUnavailable',
    status: 'true',
  })})`,
  podCpu: `sum by (pod) (rate(${sel('container_cpu_usage_seconds_total', CADVISOR, CONTAINERS)}[$__rate_interval]))`,
  podCpuRequests: `sum by (pod) (${sel('kube_pod_container_resource_requests', KSM, { ...PODS, resource: 'cpu' })})`,
  podMemory: `sum by (pod) (${sel('container_memory_working_set_bytes', CADVISOR, CONTAINERS)})`,
  podMemoryRequests: `sum by (pod) (${sel('kube_pod_container_resource_requests', KSM, { ...PODS, resource: 'memory' })})`,
  podReceive: `sum by (pod) (rate(${sel('container_network_receive_bytes_total', CADVISOR, PODS)}[$__rate_interval]))`,
  podTransmit: `sum by (pod) (rate(${sel('container_network_transmit_bytes_total', CADVISOR, PODS)}[$__rate_interval]))`,
  restartsPerInterval: `sum by (pod) (increase(${sel('kube_pod_container_status_restarts_total', KSM, PODS)}[$__rate_interval]))`,
  restartsTotal: `sum(${sel('kube_pod_container_status_restarts_total', KSM, PODS)})`,
  podsNotReady: `sum by (pod) (${sel('kube_pod_status_ready', KSM, { ...PODS, condition: '~false|unknown' })})`,
  podsNotReadyCount: `sum(${sel('kube_pod_status_ready', KSM, { ...PODS, condition: '~false|unknown' })})`,
  podsByPhase: `sum by (phase) (${sel('kube_pod_status_phase', KSM, PODS)})`,
  waiting: `sum by (pod, reason) (${sel('kube_pod_container_status_waiting_reason', KSM, PODS)}) > 0`,
};

/** Node and pod resources of the cluster and the training job, and the health of its pods. */
export function kubeStateMetricsDashboards(ctx: MixinContext): DashboardDef[] {
  const q = queries;
  const { thresholds, namespaces } = ctx.config;
  const resources = dashboard('fl-cluster-resources', 'Cluster and training-job resources', {
    tags: ['kubernetes', 'infrastructure'],
    description: 'Node CPU, memory, disk and network (node-exporter); pod CPU, memory and network (cAdvisor); restarts and readiness (kube-state-metrics).',
    namespace: { default: namespaces.training },
    metricsDatasource: defaultMetricsDatasource(ctx.config),
    variables: [{ name: 'node', label: 'Node', query: q.nodes }],
    rows: [
      {
        title: 'Nodes',
        panels: [
          timeseriesPanel('Node CPU utilization', Unit.RATIO, [promQuery(q.nodeCpu, '{{node}}')], {
            width: 8,
            min: 0,
            max: 1,
            threshold: { value: thresholds.nodeCpuUtilization },
            legendCalcs: ['mean', 'max'],
          }),
          timeseriesPanel('Node memory utilization', Unit.RATIO, [promQuery(q.nodeMemory, '{{node}}')], {
            width: 8,
            min: 0,
            max: 1,
            threshold: { value: thresholds.nodeMemoryUtilization },
            legendCalcs: ['mean', 'max'],
          }),
          timeseriesPanel('Root filesystem utilization', Unit.RATIO, [promQuery(q.nodeDisk, '{{node}} {{mountpoint}}')], {
            width: 8,
            min: 0,
            max: 1,
            threshold: { value: thresholds.nodeDiskUtilization },
          }),
          timeseriesPanel('Node network', Unit.BYTES_PER_SECOND, [
            promQuery(q.nodeReceive, '{{node}} received'),
            promQuery(q.nodeTransmit, '{{node}} sent'),
          ], { width: 8, description: 'All interfaces of the node.' }),
          timeseriesPanel('Node memory available', Unit.BYTES, [promQuery(q.nodeMemoryAvailable, '{{node}}')], { width: 8 }),
          timeseriesPanel('Node load (1m)', Unit.SHORT, [promQuery(q.nodeLoad, '{{node}}')], { width: 8 }),
          timeseriesPanel('Node pressure conditions', Unit.NONE, [promQuery(q.notReadyNodes, '{{node}} {{condition}}')], {
            width: 24,
            height: 6,
            decimals: 0,
            description: 'Conditions other than Ready that are true (1) on a node.',
          }),
        ],
      },
      {
        title: 'Pods of $namespace',
        panels: [
          timeseriesPanel('CPU by pod', Unit.SHORT, [
            promQuery(q.podCpu, '{{pod}}'),
            promQuery(q.podCpuRequests, '{{pod}} request'),
          ], { axisLabel: 'cores', legendCalcs: ['mean', 'max'] }),
          timeseriesPanel('Memory working set by pod', Unit.BYTES, [
            promQuery(q.podMemory, '{{pod}}'),
            promQuery(q.podMemoryRequests, '{{pod}} request'),
          ], { legendCalcs: ['lastNotNull', 'max'] }),
          timeseriesPanel('Network received by pod', Unit.BYTES_PER_SECOND, [promQuery(q.podReceive, '{{pod}}')]),
          timeseriesPanel('Network sent by pod', Unit.BYTES_PER_SECOND, [promQuery(q.podTransmit, '{{pod}}')]),
        ],
      },
      {
        title: 'Pod health in $namespace',
        panels: [
          statPanel('Container restarts', Unit.NONE, [promQuery(q.restartsTotal, 'restarts')], {
            width: 4,
            decimals: 0,
            threshold: { value: 1, color: 'orange' },
            description: 'Restarts of all containers of the namespace since their pods started.',
          }),
          statPanel('Pods not ready', Unit.NONE, [promQuery(q.podsNotReadyCount, 'not ready')], { width: 4, decimals: 0, threshold: { value: 1 } }),
          timeseriesPanel('Pods by phase', Unit.NONE, [promQuery(q.podsByPhase, '{{phase}}')], { width: 16, height: 4, stack: true, decimals: 0 }),
          timeseriesPanel('Restarts by pod', Unit.NONE, [promQuery(q.restartsPerInterval, '{{pod}}')], {
            width: 8,
            bars: true,
            description: 'Container restarts per interval.',
          }),
          timeseriesPanel('Pods not ready', Unit.NONE, [promQuery(q.podsNotReady, '{{pod}}')], { width: 8, decimals: 0 }),
          timeseriesPanel('Containers waiting', Unit.NONE, [promQuery(q.waiting, '{{pod}}: {{reason}}')], {
            width: 8,
            decimals: 0,
            description: 'Containers waiting to run, by reason (CrashLoopBackOff, ImagePullBackOff, …).',
          }),
        ],
      },
    ],
  });
  return [dashboardDef(resources, DashboardFolder.INFRASTRUCTURE)];
}
