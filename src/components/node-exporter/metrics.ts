import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const E = ComponentName.NODE_EXPORTER;
const FS = ['device', 'fstype', 'mountpoint'];

/** node-exporter metrics used by the stack. */
export const NODE_EXPORTER_METRICS: readonly MetricDef[] = [
  metric(E, 'node_cpu_seconds_total', MetricType.COUNTER, 'Seconds the CPUs spent in each mode.', { labels: ['cpu', 'mode'], unit: 'seconds' }),
  metric(E, 'node_memory_MemAvailable_bytes', MetricType.GAUGE, 'Memory available for new work.', { unit: 'bytes' }),
  metric(E, 'node_memory_MemTotal_bytes', MetricType.GAUGE, 'Total memory.', { unit: 'bytes' }),
  metric(E, 'node_filesystem_avail_bytes', MetricType.GAUGE, 'Filesystem space available to non-root users.', { labels: FS, unit: 'bytes' }),
  metric(E, 'node_filesystem_size_bytes', MetricType.GAUGE, 'Filesystem size.', { labels: FS, unit: 'bytes' }),
  metric(E, 'node_network_receive_bytes_total', MetricType.COUNTER, 'Bytes received per interface.', { labels: ['device'], unit: 'bytes' }),
  metric(E, 'node_network_transmit_bytes_total', MetricType.COUNTER, 'Bytes sent per interface.', { labels: ['device'], unit: 'bytes' }),
  metric(E, 'node_load1', MetricType.GAUGE, '1-minute load average.'),
];
