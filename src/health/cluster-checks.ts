import { WorkloadKind } from '../common/names';
import { WORKLOAD_RESOURCE, type ExpectedService, type ExpectedWorkload } from './expected';
import { labelSelector, type EndpointSlice, type KubeClient, type List, type Pod, type Workload } from './kube-client';
import { listSome } from './probe';
import { critical, ok, warning, type CheckResult, type Outcome } from './status';

/** Restarts at which a pod is reported (total over its containers). */
export const DEFAULT_RESTART_WARNING = 3;

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods that count: not being deleted, not finished. */
function livePods(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

/** Why a pod is not ready: a container's waiting/terminated reason, else the pod's phase. */
function notReadyReason(pod: Pod): string {
  const containers = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const reasons = [
    ...new Set(
      containers
        .filter((c) => !c.ready)
        .map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason)
        .filter((r): r is string => r !== undefined),
    ),
  ];
  if (reasons.length > 0) {
    return reasons.join('/');
  }
  const unready = pod.status?.conditions?.find((c) => c.status !== 'True' && c.reason !== undefined);
  return pod.status?.reason ?? unready?.reason ?? pod.status?.phase ?? 'no status';
}

/** How many pods the workload wants: `spec.replicas` (default 1), or the DaemonSet's scheduled count. */
export function desiredPods(kind: WorkloadKind, workload: Workload): number {
  return kind === WorkloadKind.DAEMON_SET ? (workload.status?.desiredNumberScheduled ?? 0) : (workload.spec?.replicas ?? 1);
}

/**
 * Ready pods against the desired count: none ready is critical, fewer than desired a warning.
 * A DaemonSet with no node to run on (e.g. no GPU node) is fine.
 */
export function judgePods(expected: ExpectedWorkload, workload: Workload | undefined, pods: readonly Pod[]): Outcome {
  const id = `${expected.kind} ${expected.namespace}/${expected.name}`;
  if (workload === undefined) {
    return critical(`${id} not found`);
  }
  const desired = desiredPods(expected.kind, workload);
  const live = livePods(pods);
  const ready = live.filter(isReady);
  const unready = live.filter((p) => !isReady(p)).map((p) => `${p.metadata.name} (${notReadyReason(p)})`).sort();
  if (desired === 0) {
    return expected.kind === WorkloadKind.DAEMON_SET ? ok('no node selected: 0 pods wanted') : warning(`${id} is scaled to 0`);
  }
  const counts = `${ready.length}/${desired} pods ready`;
  const which = unready.length > 0 ? `; not ready: ${listSome(unready)}` : live.length === 0 ? '; no pod exists (see the workload events)' : '';
  if (ready.length === 0) {
    return critical(counts + which);
  }
  return ready.length < desired ? warning(counts + which) : ok(counts);
}

/** Pods whose containers restarted `threshold` times or more (with the last termination reason). */
export function judgeRestarts(pods: readonly Pod[], threshold: number): Outcome {
  const restarted = livePods(pods)
    .map((pod) => {
      const containers = pod.status?.containerStatuses ?? [];
      const restarts = containers.reduce((sum, c) => sum + c.restartCount, 0);
      const last = containers.find((c) => c.lastState?.terminated !== undefined)?.lastState?.terminated;
      const why = last === undefined ? '' : ` (last: ${last.reason ?? `exit ${last.exitCode}`})`;
      return { restarts, text: `${pod.metadata.name} restarted ${restarts} times${why}` };
    })
    .filter((p) => p.restarts >= threshold)
    .sort((a, b) => b.restarts - a.restarts || a.text.localeCompare(b.text));
  return restarted.length === 0
    ? ok(`no pod restarted ${threshold} times or more`)
    : warning(listSome(restarted.map((p) => p.text)));
}

/** A Service's ready endpoints over all its EndpointSlices: none is critical, some not ready a warning. */
export function judgeEndpoints(slices: readonly EndpointSlice[] | undefined): Outcome {
  if (slices === undefined) {
    return critical('Service not found');
  }
  const endpoints = slices.flatMap((s) => s.endpoints ?? []);
  // `ready` unset means ready (EndpointSlice API): only an explicit false is not ready.
  const ready = endpoints.filter((e) => e.conditions?.ready !== false);
  const notReady = endpoints.filter((e) => e.conditions?.ready === false).map((e) => e.targetRef?.name ?? e.addresses.join('/')).sort();
  const counts = `${ready.length} ready endpoint${ready.length === 1 ? '' : 's'}`;
  if (ready.length === 0) {
    return critical(`no ready endpoint${notReady.length > 0 ? `; not ready: ${listSome(notReady)}` : ''}`);
  }
  return notReady.length > 0 ? warning(`${counts}; not ready: ${listSome(notReady)}`) : ok(counts);
}

/** A check that throws (API unreachable, forbidden) becomes a critical row naming the error. */
async function guarded(component: string, check: string, run: () => Promise<Outcome>): Promise<CheckResult> {
  try {
    return { component, check, ...(await run()) };
  } catch (err) {
    return { component, check, ...critical((err as Error).message) };
  }
}

/** Options of {@link workloadChecks}. */
export interface WorkloadCheckOptions {
  /** @default DEFAULT_RESTART_WARNING */
  readonly restartWarning?: number;
}

/** `pods` and `restarts` rows of one workload. */
export async function workloadChecks(kube: KubeClient, expected: ExpectedWorkload, options: WorkloadCheckOptions = {}): Promise<CheckResult[]> {
  const threshold = options.restartWarning ?? DEFAULT_RESTART_WARNING;
  const ns = encodeURIComponent(expected.namespace);
  const label = `${expected.kind}/${expected.name}`;
  let workload: Workload | undefined;
  let pods: readonly Pod[];
  try {
    [workload, pods] = await Promise.all([
      kube.find<Workload>(`/apis/apps/v1/namespaces/${ns}/${WORKLOAD_RESOURCE[expected.kind]}/${encodeURIComponent(expected.name)}`),
      kube.get<List<Pod>>(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(labelSelector(expected.selector))}`).then((l) => l.items),
    ]);
  } catch (err) {
    return [{ component: expected.component, check: `pods ${label}`, ...critical((err as Error).message) }];
  }
  return [
    { component: expected.component, check: `pods ${label}`, ...judgePods(expected, workload, pods) },
    { component: expected.component, check: `restarts ${label}`, ...judgeRestarts(pods, threshold) },
  ];
}

/** The `service` row of one Service. */
export function serviceCheck(kube: KubeClient, expected: ExpectedService): Promise<CheckResult> {
  const ns = encodeURIComponent(expected.namespace);
  return guarded(expected.component, `service ${expected.name}`, async () => {
    const service = await kube.find<unknown>(`/api/v1/namespaces/${ns}/services/${encodeURIComponent(expected.name)}`);
    if (service === undefined) {
      return judgeEndpoints(undefined);
    }
    const selector = encodeURIComponent(`kubernetes.io/service-name=${expected.name}`);
    const slices = await kube.get<List<EndpointSlice>>(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${selector}`);
    return judgeEndpoints(slices.items);
  });
}
