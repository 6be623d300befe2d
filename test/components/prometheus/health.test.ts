import { httpGet } from '../../../src/health/http';
import { PROMETHEUS_PROBE } from '../../../src/components/prometheus/health';
import { HealthStatus } from '../../../src/health/status';
import { runProbe } from '../../health/probe-runner';
import { freePort, stopAll, waitFor, type Started } from '../../health/processes';
import { BROKEN_RULES, GOOD_RULES, startPrometheus as prometheus } from '../../health/servers';

let healthy: Started;
let degraded: Started;
let failing: Started;
let deadA: number;
let deadB: number;

beforeAll(async () => {
  [deadA, deadB] = [await freePort(), await freePort()];
  [healthy, degraded, failing] = await Promise.all([
    prometheus('healthy', (self) => ({ prometheus: [self] }), [GOOD_RULES]),
    prometheus('degraded', (self) => ({ mixed: [self, `127.0.0.1:${deadA}`] }), [GOOD_RULES]),
    prometheus('failing', (self) => ({ prometheus: [self], 'fl-client': [`127.0.0.1:${deadB}`] }), [GOOD_RULES, BROKEN_RULES]),
  ]);
  // Prometheus has scraped its own failures counter going up (what the `rule failures` query reads).
  const rising = encodeURIComponent('increase(prometheus_rule_evaluation_failures_total[1m]) > 0');
  await waitFor(`${failing.url}/api/v1/query?query=${rising}`, (r) => r.body.includes('"value"'), 30_000, failing.output);
}, 120_000);

afterAll(stopAll);

test('a healthy Prometheus: ready, every target up, rules evaluating', async () => {
  expect(await runProbe(PROMETHEUS_PROBE, healthy.url)).toEqual({
    ready: { status: HealthStatus.OK, detail: '/-/ready answered 200' },
    targets: { status: HealthStatus.OK, detail: '1/1 targets up' },
    rules: { status: HealthStatus.OK, detail: '1 groups, 1 rules, none failing' },
    'rule failures': { status: HealthStatus.OK, detail: 'no rule evaluation failures in 15m' },
  });
});

test('a target down in a job that still has one up: warning naming the target and the scrape error', async () => {
  const rows = await runProbe(PROMETHEUS_PROBE, degraded.url);
  expect(rows.targets.status).toBe(HealthStatus.WARNING);
  expect(rows.targets.detail).toMatch(new RegExp(`^1/2 targets up; down: mixed 127\\.0\\.0\\.1:${deadA} \\(.*connection refused\\)$`));
  expect(rows.ready.status).toBe(HealthStatus.OK);
});

test('every target of a job down: critical naming the job; a rule failing evaluation: critical naming it', async () => {
  const rows = await runProbe(PROMETHEUS_PROBE, failing.url);
  expect(rows.targets.status).toBe(HealthStatus.CRITICAL);
  expect(rows.targets.detail).toMatch(new RegExp(`^1/2 targets up; down: fl-client 127\\.0\\.0\\.1:${deadB} \\(.*connection refused\\); no target up in job fl-client$`));
  expect(rows.rules).toEqual({
    status: HealthStatus.CRITICAL,
    detail: '2 groups, 2 rules; failing: broken/job:dup (vector cannot contain metrics with the same labelset)',
  });
  // The failures counter, read from Prometheus' own metrics through a query, names the group.
  expect(rows['rule failures'].status).toBe(HealthStatus.WARNING);
  expect(rows['rule failures'].detail).toMatch(/^rule evaluation failures in the last 15m: .*rules\.yml;broken: \d+$/);
});

test('a Prometheus that is not listening: every check critical with the connection error', async () => {
  const port = await freePort();
  const rows = await runProbe(PROMETHEUS_PROBE, `http://127.0.0.1:${port}`);
  expect(Object.keys(rows)).toEqual(['ready', 'targets', 'rules', 'rule failures']);
  for (const row of Object.values(rows)) {
    expect(row.status).toBe(HealthStatus.CRITICAL);
    expect(row.detail).toContain(`127.0.0.1:${port}`);
    expect(row.detail).toContain('ECONNREFUSED');
  }
});

test('a stopped Prometheus turns critical (the same process that was healthy)', async () => {
  const before = await runProbe(PROMETHEUS_PROBE, healthy.url);
  expect(before.ready.status).toBe(HealthStatus.OK);
  await healthy.stop();
  await expect(httpGet(`${healthy.url}/-/ready`, { timeoutMs: 2000 })).rejects.toThrow('ECONNREFUSED');
  expect((await runProbe(PROMETHEUS_PROBE, healthy.url)).ready.status).toBe(HealthStatus.CRITICAL);
});
