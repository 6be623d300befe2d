import { CheckKind, checkHealth, HealthUsageError, needsKube } from '../../src/health/health';
import { stackHealth } from '../../src/health-command';
import { KubeClient } from '../../src/health/kube-client';
import { HealthStatus } from '../../src/health/status';
import { configOf } from '../helpers';
import { freePort, stopAll, type Started } from './processes';
import { GOOD_RULES, startPrometheus, startVictoriaMetrics } from './servers';

/** Only Prometheus and VictoriaMetrics among the probed components. */
const CONFIG = configOf('minikube', { alertmanager: { enabled: false }, grafana: { enabled: false }, loki: { enabled: false }, fl: { enabled: false } });
const PROBES_ONLY = new Set([CheckKind.PROBES]);

let prometheus: Started;
let vm: Started;
let dead: number;

beforeAll(async () => {
  dead = await freePort();
  [prometheus, vm] = await Promise.all([startPrometheus('orchestrated', (self) => ({ prometheus: [self], mixed: [self, `127.0.0.1:${dead}`] }), [GOOD_RULES]), startVictoriaMetrics('orchestrated')]);
}, 120_000);

afterAll(stopAll);

test('every enabled probe runs, rows grouped by component in the stack order; the worst status wins', async () => {
  const report = await checkHealth({ ...stackHealth(CONFIG), checks: PROBES_ONLY, endpoints: new Map([['victoria-metrics', vm.url], ['prometheus', prometheus.url]]) });
  expect(report.results.map((r) => `${r.component} ${r.check} ${r.status}`)).toEqual([
    'prometheus ready ok',
    'prometheus targets warning',
    'prometheus rules ok',
    'prometheus rule failures ok',
    'victoria-metrics health ok',
  ]);
  expect(report.status).toBe(HealthStatus.WARNING);
});

test('a component that does not answer makes the round critical', async () => {
  const report = await checkHealth({ ...stackHealth(CONFIG), checks: PROBES_ONLY, endpoints: new Map([['victoria-metrics', `http://127.0.0.1:${dead}`], ['prometheus', prometheus.url]]) });
  expect(report.results.find((r) => r.component === 'victoria-metrics')).toMatchObject({ status: HealthStatus.CRITICAL, detail: expect.stringContaining('ECONNREFUSED') });
  expect(report.status).toBe(HealthStatus.CRITICAL);
});

test('an unreachable API server: one critical `cluster api` row; probes with an endpoint still run, none through the proxy', async () => {
  const kube = new KubeClient({ context: 'gone', server: `https://127.0.0.1:${dead}`, insecureSkipTlsVerify: false }, 2000);
  const report = await checkHealth({ ...stackHealth(CONFIG), kube, endpoints: new Map([['prometheus', prometheus.url]]) });
  expect(report.results.map((r) => `${r.component} ${r.check} ${r.status}`)).toEqual([
    'cluster api critical',
    'prometheus ready ok',
    'prometheus targets warning',
    'prometheus rules ok',
    'prometheus rule failures ok',
  ]);
  expect(report.results[0].detail).toBe(`GET https://127.0.0.1:${dead}/version: connect ECONNREFUSED 127.0.0.1:${dead}`);
  expect(report.status).toBe(HealthStatus.CRITICAL);
});

test('options that cannot work are refused by name', async () => {
  await expect(checkHealth({ ...stackHealth(CONFIG), checks: PROBES_ONLY, endpoints: new Map([['kube-state-metrics', 'http://127.0.0.1:1']]) })).rejects.toThrow(
    new HealthUsageError('--endpoint kube-state-metrics: not a component with a health probe (one of fl-server, prometheus, alertmanager, loki, victoria-metrics, thanos-receive, thanos-query, thanos-store, thanos-compact, thanos-rule, vmagent, mlflow, grafana)'),
  );
  await expect(checkHealth({ ...stackHealth(CONFIG), checks: PROBES_ONLY, endpoints: new Map([['loki', 'http://127.0.0.1:1']]) })).rejects.toThrow('--endpoint loki: loki is disabled by the config');
  await expect(checkHealth({ ...stackHealth(CONFIG), checks: PROBES_ONLY, endpoints: new Map([['prometheus', prometheus.url]]) })).rejects.toThrow(/^these checks need the Kubernetes API/);
});

test('the API is needed for pods, services, and probes without an endpoint', () => {
  const both = new Map([['prometheus', 'http://x:1'], ['victoria-metrics', 'http://x:2']]);
  expect(needsKube({ ...stackHealth(CONFIG), checks: PROBES_ONLY, endpoints: both })).toBe(false);
  expect(needsKube({ ...stackHealth(CONFIG), checks: PROBES_ONLY, endpoints: new Map([['prometheus', 'http://x:1']]) })).toBe(true);
  expect(needsKube({ ...stackHealth(CONFIG), checks: new Set([CheckKind.PODS]), endpoints: both })).toBe(true);
});
