import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const R = ComponentName.THANOS_RECEIVE;
const S = ComponentName.THANOS_STORE;
const C = ComponentName.THANOS_COMPACT;

/** The Thanos metrics its alerts use (each named after the component whose instance the alert is about). */
export const THANOS_METRICS: readonly MetricDef[] = [
  metric(R, 'thanos_receive_replications_total', MetricType.COUNTER, 'Replications of remote writes to the replicas of their series; error when the quorum was not met.', { labels: ['result'] }),
  metric(R, 'thanos_shipper_upload_failures_total', MetricType.COUNTER, 'Blocks a Receive replica failed to upload to the bucket.'),
  metric(S, 'thanos_objstore_bucket_operation_failures_total', MetricType.COUNTER, 'Failed operations on the bucket.', { labels: ['bucket', 'operation'] }),
  metric(S, 'thanos_blocks_meta_sync_failures_total', MetricType.COUNTER, "Failed syncs of the bucket's block metadata."),
  metric(C, 'thanos_compact_halted', MetricType.GAUGE, 'Whether the compactor halted on an error it cannot retry (1) or runs (0).'),
];
