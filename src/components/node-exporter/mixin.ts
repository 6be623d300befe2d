import { ComponentName } from '../../common/names';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { NODE_EXPORTER_METRICS } from './metrics';

const E = ComponentName.NODE_EXPORTER;
export const NODE_CPU = 'node:node_cpu_utilization:ratio_rate5m';
export const NODE_MEMORY = 'node:node_memory_utilization:ratio';
const REAL_FS = { fstype: '~ext[234]|xfs|btrfs|vfat' };

function recording(ctx: MixinContext): RuleGroupBuilder[] {
  return [
    new RuleGroupBuilder('node.recording', ctx.catalog)
      .record({ record: NODE_CPU, expr: `1 - avg by (node) (rate(${sel('node_cpu_seconds_total', E, { mode: 'idle' })}[5m]))` })
      .record({
        record: NODE_MEMORY,
        expr: `1 - sum by (node) (${sel('node_memory_MemAvailable_bytes', E)}) / sum by (node) (${sel('node_memory_MemTotal_bytes', E)})`,
      }),
  ];
}

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const t = ctx.config.thresholds;
  const node = { node: 'node-1' };
  const fs = { ...node, device: '/dev/vda1', fstype: 'ext4', mountpoint: '/' };
  return [
    new RuleGroupBuilder('node.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'NodeCpuHigh',
        expr: `${NODE_CPU} > ${t.nodeCpuUtilization}`,
        for: '15m',
        severity: 'warning',
        summary: `A node's CPU is more than ${t.nodeCpuUtilization * 100}% busy.`,
        description: 'Node {{ $labels.node }} has been CPU-saturated for 15 minutes; training and agents on it slow down.',
        impact: 'Everything on the node slows down: FL rounds take longer, agents lag, probes may time out.',
        mitigation: 'Find the busiest pods on the node (resources dashboard, `container_cpu_usage_seconds_total`); spread the FL clients or add nodes.',
        test: {
          // idle seconds per minute: 3 (95% busy) vs 30 (50% busy)
          firing: { series: [{ series: series('node_cpu_seconds_total', E, { ...node, cpu: '0', mode: 'idle' }), values: '0+3x40' }], at: '25m', labels: node },
          quiet: { series: [{ series: series('node_cpu_seconds_total', E, { ...node, cpu: '0', mode: 'idle' }), values: '0+30x40' }], at: '25m' },
        },
      })
      .alert({
        alert: 'NodeMemoryHigh',
        expr: `${NODE_MEMORY} > ${t.nodeMemoryUtilization}`,
        for: '15m',
        severity: 'warning',
        summary: `A node uses more than ${t.nodeMemoryUtilization * 100}% of its memory.`,
        description: 'Node {{ $labels.node }} is short of memory; pods on it risk OOM kills and eviction.',
        impact: 'Pods on the node risk OOM kills and eviction.',
        mitigation: 'Find the largest working sets on the node; lower requests/limits that are oversized or move workloads away.',
        test: {
          firing: {
            series: [
              { series: series('node_memory_MemAvailable_bytes', E, node), values: '5x30' },
              { series: series('node_memory_MemTotal_bytes', E, node), values: '100x30' },
            ],
            at: '20m',
            labels: node,
          },
          quiet: {
            series: [
              { series: series('node_memory_MemAvailable_bytes', E, node), values: '50x30' },
              { series: series('node_memory_MemTotal_bytes', E, node), values: '100x30' },
            ],
            at: '20m',
          },
        },
      })
      .alert({
        alert: 'NodeDiskPressure',
        expr: `1 - ${sel('node_filesystem_avail_bytes', E, REAL_FS)} / ${sel('node_filesystem_size_bytes', E, REAL_FS)} > ${t.nodeDiskUtilization}`,
        for: '30m',
        severity: 'warning',
        summary: `A node filesystem is more than ${t.nodeDiskUtilization * 100}% full.`,
        description: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} is nearly full; the kubelet will start evicting pods.',
        impact: 'The kubelet evicts pods when the node filesystem crosses its eviction threshold; container logs and images cannot be written.',
        mitigation: 'Clean up images and logs on the node (`crictl rmi --prune`), check which pods write to emptyDir or host paths, grow the disk.',
        test: {
          firing: {
            series: [
              { series: series('node_filesystem_avail_bytes', E, fs), values: '5x40' },
              { series: series('node_filesystem_size_bytes', E, fs), values: '100x40' },
            ],
            at: '35m',
            labels: { job: E, ...fs },
          },
          quiet: {
            series: [
              { series: series('node_filesystem_avail_bytes', E, fs), values: '60x40' },
              { series: series('node_filesystem_size_bytes', E, fs), values: '100x40' },
            ],
            at: '35m',
          },
        },
      }),
  ];
}

/** Node monitoring: node-exporter metrics, node pressure alerts. */
export const NODE_EXPORTER_MIXIN: Mixin = {
  name: 'node',
  metrics: NODE_EXPORTER_METRICS,
  recordingRules: recording,
  alertingRules: alerting,
};
