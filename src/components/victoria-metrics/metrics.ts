import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const V = ComponentName.VICTORIA_METRICS;

export const VICTORIA_METRICS_METRICS: readonly MetricDef[] = [
  metric(V, 'vm_rows_inserted_total', MetricType.COUNTER, 'Rows inserted, by ingestion protocol.', { labels: ['type'] }),
  metric(V, 'vm_free_disk_space_bytes', MetricType.GAUGE, 'Free space on the storage path.', { labels: ['path'], unit: 'bytes' }),
  metric(V, 'vm_data_size_bytes', MetricType.GAUGE, 'Stored data size.', { labels: ['type'], unit: 'bytes' }),
  metric(V, 'vm_storage_is_read_only', MetricType.GAUGE, '1 while the storage refuses writes: its free space is below -storage.minFreeDiskSpaceBytes.', { labels: ['path'] }),
];
