import { judgeEndpoints, judgePods, judgeRestarts } from '../../src/health/cluster-checks';
import { WorkloadKind } from '../../src/common/names';
import type { ExpectedWorkload } from '../../src/health/expected';
import type { EndpointSlice, Pod, Workload } from '../../src/health/kube-client';
import { HealthStatus } from '../../src/health/status';

const STS: ExpectedWorkload = { component: 'prometheus', kind: WorkloadKind.STATEFUL_SET, name: 'prometheus', namespace: 'fl-monitoring', selector: {} };
const DS: ExpectedWorkload = { component: 'dcgm-exporter', kind: WorkloadKind.DAEMON_SET, name: 'dcgm-exporter', namespace: 'fl-agents', selector: {} };

/** A pod as the API returns it, reduced to what the checks read. */
function pod(name: string, options: { ready?: boolean; restarts?: number; waiting?: string; lastReason?: string; phase?: string; deleting?: boolean } = {}): Pod {
  const ready = options.ready ?? true;
  return {
    metadata: { name, ...(options.deleting ?? false ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status: {
      phase: options.phase ?? (ready ? 'Running' : 'Pending'),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? undefined : 'ContainersNotReady' }],
      containerStatuses: [
        {
          name: 'main',
          ready,
          restartCount: options.restarts ?? 0,
          ...(options.waiting === undefined ? {} : { state: { waiting: { reason: options.waiting } } }),
          ...(options.lastReason === undefined ? {} : { lastState: { terminated: { reason: options.lastReason, exitCode: 137 } } }),
        },
      ],
    },
  };
}

const replicas = (n: number): Workload => ({ metadata: { name: 'prometheus' }, spec: { replicas: n } });

test('every desired pod ready: ok with the count', () => {
  expect(judgePods(STS, replicas(2), [pod('prometheus-0'), pod('prometheus-1')])).toEqual({ status: HealthStatus.OK, detail: '2/2 pods ready' });
});

test('some pods not ready: warning naming them and why', () => {
  expect(judgePods(STS, replicas(2), [pod('prometheus-0'), pod('prometheus-1', { ready: false, waiting: 'CrashLoopBackOff' })])).toEqual({
    status: HealthStatus.WARNING,
    detail: '1/2 pods ready; not ready: prometheus-1 (CrashLoopBackOff)',
  });
});

test('no pod ready: critical; no pod at all says so', () => {
  expect(judgePods(STS, replicas(1), [pod('prometheus-0', { ready: false })])).toEqual({
    status: HealthStatus.CRITICAL,
    detail: '0/1 pods ready; not ready: prometheus-0 (ContainersNotReady)',
  });
  expect(judgePods(STS, replicas(1), [])).toEqual({ status: HealthStatus.CRITICAL, detail: '0/1 pods ready; no pod exists (see the workload events)' });
});

test('terminating and finished pods do not count', () => {
  expect(judgePods(STS, replicas(1), [pod('prometheus-0', { deleting: true }), pod('old', { phase: 'Failed', ready: false })]).status).toBe(HealthStatus.CRITICAL);
});

test('a missing workload is critical; a DaemonSet with no node to run on is fine; a Deployment at 0 is a warning', () => {
  expect(judgePods(STS, undefined, [])).toEqual({ status: HealthStatus.CRITICAL, detail: 'StatefulSet fl-monitoring/prometheus not found' });
  expect(judgePods(DS, { metadata: { name: 'dcgm-exporter' }, status: { desiredNumberScheduled: 0 } }, [])).toEqual({ status: HealthStatus.OK, detail: 'no node selected: 0 pods wanted' });
  expect(judgePods(DS, { metadata: { name: 'dcgm-exporter' }, status: { desiredNumberScheduled: 2 } }, [pod('a'), pod('b')]).detail).toBe('2/2 pods ready');
  expect(judgePods(STS, replicas(0), []).status).toBe(HealthStatus.WARNING);
});

test('restarts at the threshold: warning, most restarted first, with the last termination reason', () => {
  const pods = [pod('a', { restarts: 2 }), pod('b', { restarts: 7, lastReason: 'OOMKilled' }), pod('c', { restarts: 3 })];
  expect(judgeRestarts(pods, 3)).toEqual({ status: HealthStatus.WARNING, detail: 'b restarted 7 times (last: OOMKilled), c restarted 3 times' });
  expect(judgeRestarts(pods, 8)).toEqual({ status: HealthStatus.OK, detail: 'no pod restarted 8 times or more' });
});

const slice = (...endpoints: { ready?: boolean; pod: string }[]): EndpointSlice => ({
  metadata: { name: 's' },
  endpoints: endpoints.map((e) => ({ addresses: ['198.51.100.1'], conditions: e.ready === undefined ? {} : { ready: e.ready }, targetRef: { kind: 'Pod', name: e.pod } })),
});

test('Service endpoints: ready (unset counts as ready), some not ready, none, no Service', () => {
  expect(judgeEndpoints([slice({ ready: true, pod: 'a' }), slice({ pod: 'b' })])).toEqual({ status: HealthStatus.OK, detail: '2 ready endpoints' });
  expect(judgeEndpoints([slice({ ready: true, pod: 'a' }, { ready: false, pod: 'b' })])).toEqual({ status: HealthStatus.WARNING, detail: '1 ready endpoint; not ready: b' });
  expect(judgeEndpoints([slice({ ready: false, pod: 'b' })])).toEqual({ status: HealthStatus.CRITICAL, detail: 'no ready endpoint; not ready: b' });
  expect(judgeEndpoints([])).toEqual({ status: HealthStatus.CRITICAL, detail: 'no ready endpoint' });
  expect(judgeEndpoints(undefined)).toEqual({ status: HealthStatus.CRITICAL, detail: 'Service not found' });
});
