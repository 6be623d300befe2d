import { mkdtempSync, rmSync } from 'node:fs';
import { stackHealth } from '../../src/health-command';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentName, Ports } from '../../src/common/names';
import { CheckKind, checkHealth, type HealthReport } from '../../src/health/health';
import { stackExpectedObjects } from '../../src/stack';
import { KubeClient, type EndpointSlice, type List } from '../../src/health/kube-client';
import { kubeconfigFiles, loadKubeconfig } from '../../src/health/kubeconfig';
import { readyCheck, type StackProbe } from '../../src/health/probe';
import { HealthStatus } from '../../src/health/status';
import { synthesize } from '../../src/synth';
import { configOf, synthStack } from '../helpers';
import { buildHealthCli, runHealthCli } from '../health/cli';
import { storageObjects, toYamlStream } from './cluster-fixtures';
import { type ControlPlane, startControlPlane } from './control-plane';

/*
 * The health command against a real API server (scripts/control-plane.sh: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, KWOK) holding the synthesized minikube stack. KWOK
 * makes scheduled pods Running and Ready with fake IPs that nothing connects to: the command runs
 * with `--checks pods,services` only, never a component probe through the service proxy towards
 * a pod. The one proxied request goes to a Service that has no endpoint at all, which the API
 * server refuses without dialing anything.
 */

const CONFIG = configOf('minikube');
const POD_CHECKS = new Set([CheckKind.PODS, CheckKind.SERVICES]);
const READY_TIMEOUT_MS = 240_000;
/** A label no node has: pods that must have it stay Pending (Unschedulable). */
const NO_NODE = { 'fl-observability.io/health-e2e': 'nowhere' };

let cp: ControlPlane;
let kube: KubeClient;
let cli: string;
let dist = '';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Checks pods and Services until `done(report)`; the last report is in the error when it never is. */
async function until(done: (report: HealthReport) => boolean, what: string): Promise<HealthReport> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let report = await checkHealth({ ...stackHealth(CONFIG), kube, checks: POD_CHECKS });
  while (!done(report)) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not reached in ${READY_TIMEOUT_MS} ms; last report:\n${report.results.map((r) => `${r.status} ${r.component} ${r.check}: ${r.detail}`).join('\n')}`);
    }
    await sleep(2000);
    report = await checkHealth({ ...stackHealth(CONFIG), kube, checks: POD_CHECKS });
  }
  return report;
}

/** The command as an operator runs it, on this control plane. */
function health(...args: string[]): { status: number | null; report: { status: string; checks: { component: string; check: string; status: string; detail: string }[] }; stderr: string } {
  const r = runHealthCli(cli, ['--kubeconfig', cp.kubeconfig, '--checks', 'pods,services', '--format', 'json', ...args]);
  return { status: r.status, report: r.stdout === '' ? { status: 'none', checks: [] } : JSON.parse(r.stdout), stderr: r.stderr };
}

const row = (report: ReturnType<typeof health>['report'], component: string, check: string) => report.checks.find((c) => c.component === component && c.check === check);

beforeAll(async () => {
  cli = buildHealthCli();
  cp = startControlPlane();
  kube = new KubeClient(loadKubeconfig(kubeconfigFiles(cp.kubeconfig)));
  dist = mkdtempSync(join(tmpdir(), 'flobs-e2e-health-'));
  synthesize(CONFIG, dist);
  cp.kubectl(['apply', '--server-side', '-f', '-'], toYamlStream(storageObjects(synthStack(CONFIG))));
  cp.kubectl(['apply', '--server-side', '-f', join(dist, '00-namespaces.k8s.yaml')]);
  cp.kubectl(['apply', '--server-side', '-f', dist]);
  await until((r) => r.status === HealthStatus.OK, 'every pod ready and every Service with endpoints');
}, 600_000);

afterAll(() => {
  cp?.stop(process.env.FLOBS_E2E_KEEP === '1');
  if (dist !== '') {
    rmSync(dist, { recursive: true, force: true });
  }
}, 120_000);

test('the deployed stack is healthy: every workload and Service of the config checked, exit 0', () => {
  const { status, report } = health();
  const expected = stackExpectedObjects(CONFIG);
  expect(report.checks.map((c) => `${c.component} ${c.check}`).sort()).toEqual(
    [
      'cluster api',
      ...expected.workloads.flatMap((w) => [`${w.component} pods ${w.kind}/${w.name}`, `${w.component} restarts ${w.kind}/${w.name}`]),
      ...expected.services.map((s) => `${s.component} service ${s.name}`),
    ].sort(),
  );
  expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
  expect(row(report, 'prometheus', 'pods StatefulSet/prometheus')?.detail).toBe('1/1 pods ready');
  expect(row(report, 'fl-client', 'pods StatefulSet/fl-client')?.detail).toBe(`${CONFIG.fl.numClients}/${CONFIG.fl.numClients} pods ready`);
  expect(row(report, 'cluster', 'api')?.detail).toMatch(/^v1\.\d+\.\d+.* at https:\/\/127\.0\.0\.1:\d+ \(context [^)]+\)$/);
  expect(status).toBe(0);
});

test('one FL client that cannot be scheduled: warning naming the pod, exit 2', async () => {
  // Required anti-affinity between FL clients, and only one schedulable node: the client the
  // rolling update recreates stays Pending.
  const antiAffinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': ComponentName.FL_CLIENT } } }] } };
  cp.kubectl(['-n', CONFIG.namespaces.training, 'patch', 'statefulset', ComponentName.FL_CLIENT, '--type', 'merge', '-p', JSON.stringify({ spec: { template: { spec: { affinity: antiAffinity } } } })]);
  await until((r) => r.status === HealthStatus.WARNING, 'an FL client pending');
  const { status, report } = health();
  expect(row(report, 'fl-client', 'pods StatefulSet/fl-client')).toMatchObject({
    status: 'warning',
    detail: `${CONFIG.fl.numClients - 1}/${CONFIG.fl.numClients} pods ready; not ready: fl-client-${CONFIG.fl.numClients - 1} (Unschedulable)`,
  });
  expect(report.status).toBe('warning');
  expect(status).toBe(2);
});

test('Prometheus with no pod ready: critical for its pods and its Services (no ready endpoint), exit 1', async () => {
  cp.kubectl(['-n', CONFIG.namespaces.monitoring, 'patch', 'statefulset', ComponentName.PROMETHEUS, '--type', 'merge', '-p', JSON.stringify({ spec: { template: { spec: { nodeSelector: NO_NODE } } } })]);
  await until((r) => r.results.some((x) => x.component === ComponentName.PROMETHEUS && x.check.startsWith('service') && x.status === HealthStatus.CRITICAL), 'prometheus down');
  const { status, report } = health();
  expect(row(report, 'prometheus', 'pods StatefulSet/prometheus')).toEqual({
    component: 'prometheus',
    check: 'pods StatefulSet/prometheus',
    status: 'critical',
    detail: '0/1 pods ready; not ready: prometheus-0 (Unschedulable)',
  });
  expect(row(report, 'prometheus', 'service prometheus')).toMatchObject({ status: 'critical', detail: 'no ready endpoint' });
  expect(row(report, 'prometheus', 'service prometheus-headless')).toMatchObject({ status: 'critical', detail: 'no ready endpoint' });
  // The FL client's warning is still reported next to it.
  expect(row(report, 'fl-client', 'pods StatefulSet/fl-client')?.status).toBe('warning');
  expect(report.status).toBe('critical');
  expect(status).toBe(1);
});

test('a deleted Service: critical "Service not found"', () => {
  cp.kubectl(['-n', CONFIG.namespaces.monitoring, 'delete', 'service', ComponentName.LOKI]);
  const { status, report } = health();
  expect(row(report, 'loki', 'service loki')).toMatchObject({ status: 'critical', detail: 'Service not found' });
  expect(row(report, 'loki', 'service loki-headless')?.status).toBe('ok');
  expect(status).toBe(1);
});

test('a probe through the real service proxy, to a Service without any endpoint: the API server refuses, critical', async () => {
  const ns = CONFIG.namespaces.monitoring;
  const service = 'health-e2e-no-endpoints';
  cp.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service, namespace: ns },
    spec: { selector: NO_NODE, ports: [{ name: 'http', port: Ports.prometheus, targetPort: Ports.prometheus }] },
  }));
  // Guard: nothing may be proxied to a (fake) pod address; this Service selects no pod at all.
  // Wait for the endpoints controller's (empty) Endpoints object, which the proxy reads.
  const deadline = Date.now() + 60_000;
  let endpoints: { subsets?: unknown[] } | undefined;
  while ((endpoints = await kube.find<{ subsets?: unknown[] }>(`/api/v1/namespaces/${ns}/endpoints/${service}`)) === undefined && Date.now() < deadline) {
    await sleep(500);
  }
  expect(endpoints?.subsets ?? []).toEqual([]);
  const slices = await kube.get<List<EndpointSlice>>(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`);
  expect(slices.items.flatMap((s) => s.endpoints ?? [])).toEqual([]);
  const probe: StackProbe = {
    component: ComponentName.PROMETHEUS,
    enabled: () => true,
    endpoint: () => ({ service, namespace: ns, port: Ports.prometheus }),
    checks: () => [readyCheck('ready', '/-/ready')],
  };
  const report = await checkHealth({ ...stackHealth(CONFIG), kube, checks: new Set([CheckKind.PROBES]), probes: [probe] });
  expect(report.results.map((r) => [r.component, r.check, r.status, r.detail])).toEqual([
    ['cluster', 'api', HealthStatus.OK, expect.any(String)],
    ['prometheus', 'ready', HealthStatus.CRITICAL, `/-/ready: HTTP 503: no endpoints available for service "${service}"`],
  ]);
});
