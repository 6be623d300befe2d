import { ComponentName } from '../../common/names';
import { counterIncreasing, targetDown } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { THANOS_METRICS } from './metrics';

const R = ComponentName.THANOS_RECEIVE;
const Q = ComponentName.THANOS_QUERY;
const S = ComponentName.THANOS_STORE;
const C = ComponentName.THANOS_COMPACT;

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const ns = ctx.config.namespaces.monitoring;
  const pod = (component: ComponentName): Record<string, string> => ({ namespace: ns, pod: `${component}-0` });
  return [
    new RuleGroupBuilder('thanos.alerts', ctx.catalog, ctx.recorded)
      .alert(
        targetDown({
          alert: 'ThanosReceiveDown',
          component: R,
          namespace: ns,
          severity: 'critical',
          summary: 'A Thanos Receive replica is down: the hashring writes with one replica less.',
          description: 'Thanos Receive {{ $labels.namespace }}/{{ $labels.pod }} has not answered scrapes for 5 minutes.',
          impact: 'Series whose replicas include it are written to one replica only; a second loss makes the sites queue their writes on disk.',
          mitigation: 'Check the pod, its volume and its log; the sites keep their samples queued (vmagent) until the write succeeds.',
        }),
      )
      .alert(
        targetDown({
          alert: 'ThanosQueryDown',
          component: Q,
          namespace: ns,
          severity: 'critical',
          summary: 'Thanos Query is down: the long-term metrics cannot be queried.',
          description: 'Thanos Query {{ $labels.namespace }}/{{ $labels.pod }} has not answered scrapes for 5 minutes.',
          impact: "Grafana's Thanos datasource and every query of the sites' data fail; writes are not affected.",
          mitigation: 'Check the Thanos Query pod and its log; it needs the Receive replicas and the Store Gateway on their gRPC port.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'ThanosReceiveReplicationFailing',
          component: R,
          metric: 'thanos_receive_replications_total',
          matchers: { result: 'error' },
          by: ['namespace', 'pod'],
          example: { ...pod(R), result: 'error' },
          severity: 'warning',
          summary: 'Thanos Receive fails to replicate writes to their replicas.',
          description: 'Thanos Receive {{ $labels.namespace }}/{{ $labels.pod }} has failed replications (quorum not met) for 10 minutes.',
          impact: 'Writes are refused and retried by the sites; series may be stored on fewer replicas than the replication factor.',
          mitigation: 'Look for a Receive replica that is down or slow (ThanosReceiveDown), the hashring file and the gRPC flows between replicas.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'ThanosReceiveUploadFailing',
          component: R,
          metric: 'thanos_shipper_upload_failures_total',
          by: ['namespace', 'pod'],
          example: pod(R),
          severity: 'warning',
          summary: 'Thanos Receive fails to upload blocks to the bucket.',
          description: 'Thanos Receive {{ $labels.namespace }}/{{ $labels.pod }} has failed block uploads for 10 minutes.',
          impact: 'Data older than the local retention exists only on the replica volume; it is lost if the replica is.',
          mitigation: 'Check the object storage Secret, the bucket and its credentials; the replica retries each upload.',
        }),
      )
      .alert(
        counterIncreasing({
          alert: 'ThanosStoreBucketUnreadable',
          component: S,
          metric: 'thanos_objstore_bucket_operation_failures_total',
          by: ['namespace', 'pod'],
          example: { ...pod(S), bucket: 'metrics', operation: 'get_range' },
          severity: 'warning',
          summary: 'The Thanos Store Gateway cannot read the bucket.',
          description: 'Thanos Store Gateway {{ $labels.namespace }}/{{ $labels.pod }} has failed bucket operations for 10 minutes.',
          impact: 'Queries of data older than Receive keeps locally fail or miss series.',
          mitigation: 'Check the object storage Secret, the bucket, its credentials and the network path to it.',
        }),
      )
      .alert({
        alert: 'ThanosCompactHalted',
        expr: `max by (namespace, pod) (${sel('thanos_compact_halted', C)}) == 1`,
        for: '5m',
        severity: 'warning',
        summary: 'The Thanos Compactor halted.',
        description: 'Thanos Compactor {{ $labels.namespace }}/{{ $labels.pod }} stopped on an error it cannot retry.',
        impact: 'No compaction, deduplication, downsampling or retention: the bucket grows and long-range queries slow down.',
        mitigation: "Read the compactor's log for the block it halted on (often overlapping blocks); fix or mark the block, then restart the pod.",
        test: {
          firing: { series: [{ series: series('thanos_compact_halted', C, pod(C)), values: '1x10' }], at: '7m', labels: pod(C) },
          quiet: { series: [{ series: series('thanos_compact_halted', C, pod(C)), values: '0x10' }], at: '7m' },
        },
      }),
  ];
}

export const THANOS_MIXIN: Mixin = {
  name: 'thanos',
  metrics: THANOS_METRICS,
  alertingRules: alerting,
};
