/**
 * The health command against the live local stack (test/live/harness.ts): the generated configs in
 * the real Prometheus, Alertmanager, VictoriaMetrics and OpenTelemetry Collector and the reference FL
 * workload, on 127.0.0.1. The command reaches every component through `--endpoint` overrides (no
 * API server here, so `--checks probes`). Grafana has no binary here and Loki is not run (AGPL,
 * issue 14; its `/ready` probe is tested against Loki's documented answers in
 * test/components/loki/health.test.ts): the stack runs the live config with Grafana disabled, and the
 * command checks it with Loki disabled as well, so that it judges only what runs. Run alone:
 * `npm run test:live`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ComponentName } from '../../src/common/names';
import { loadConfig } from '../../src/config/loader';
import { buildHealthCli, runHealthCli } from '../health/cli';
import { tempDir, writeYaml } from '../health/processes';
import { LIVE_STACK_CONFIG, startLiveStack, waitFor, type LiveStack } from './harness';

const RECEIVER_SECRET = { name: 'alertmanager-receivers', key: 'oncall-webhook-url' };
const BUDGET_MS = 240_000;

interface Row {
  component: string;
  check: string;
  status: string;
  detail: string;
}
interface Report {
  status: string;
  checks: Row[];
}

let stack: LiveStack;
let webhook: Server;
let cli: string;
let stackConfig: string;
/** The config the command reads: the stack's, without Loki (VictoriaLogs stands in for it, unprobed). */
let healthConfig: string;

beforeAll(async () => {
  cli = buildHealthCli();
  // The live config, with Grafana (no binary here) disabled: the command checks what runs.
  const live = parse(readFileSync(LIVE_STACK_CONFIG, 'utf8')) as Record<string, unknown>;
  stackConfig = writeYaml(tempDir('live-config'), 'stack.yaml', { ...live, grafana: { enabled: false } });
  healthConfig = writeYaml(tempDir('health-config'), 'stack.yaml', { ...live, grafana: { enabled: false }, loki: { ...((live.loki as object | undefined) ?? {}), enabled: false } });
  webhook = createServer((_req, res) => res.writeHead(200).end());
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  stack = await startLiveStack({
    config: loadConfig({ STACK_CONFIG: stackConfig }),
    secrets: { [RECEIVER_SECRET.name]: { [RECEIVER_SECRET.key]: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts` } },
    readyTimeoutMs: 180_000,
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  webhook?.closeAllConnections();
  await new Promise((r) => webhook?.close(r));
}, 120_000);

/** The command with an `--endpoint` for every probed component of the live stack. */
function health(): { status: number | null; report: Report; stderr: string } {
  const u = stack.urls;
  const endpoints = [
    [ComponentName.PROMETHEUS, u.prometheus],
    [ComponentName.ALERTMANAGER, u.alertmanager],
    [ComponentName.VICTORIA_METRICS, u.victoriaMetrics],
    [ComponentName.FL_SERVER, u.flServer],
  ].flatMap(([name, url]) => ['--endpoint', `${name}=${url}`]);
  const r = runHealthCli(cli, ['--checks', 'probes', '--format', 'json', ...endpoints], { STACK_CONFIG: healthConfig });
  return { status: r.status, report: r.stdout === '' ? { status: 'none', checks: [] } : (JSON.parse(r.stdout) as Report), stderr: r.stderr };
}

const row = (report: Report, component: string, check: string): Row | undefined => report.checks.find((c) => c.component === component && c.check === check);
const show = (report: Report): string => report.checks.map((c) => `${c.status} ${c.component} ${c.check}: ${c.detail}`).join('\n');

/** Runs the command until `done`; the last report is in the error when it never is. */
async function until(what: string, done: (r: ReturnType<typeof health>) => boolean): Promise<ReturnType<typeof health>> {
  let last: ReturnType<typeof health> | undefined;
  try {
    return await waitFor(what, Date.now() + BUDGET_MS, async () => {
      last = health();
      return done(last) ? last : undefined;
    }, 2000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast report (exit ${last?.status}):\n${last === undefined ? '' : show(last.report)}\n${last?.stderr ?? ''}`);
  }
}

test('the live stack is healthy: every component ready, every target up, rules evaluating, FL metrics exported; exit 0', async () => {
  // Healthy and every target scraped at least once (a target not scraped yet is not a finding).
  const allUp = (r: ReturnType<typeof health>) => /^(\d+)\/\1 targets up$/.test(row(r.report, 'prometheus', 'targets')?.detail ?? '');
  const { status, report } = await until('a healthy report with every target scraped', (r) => r.status === 0 && allUp(r));
  expect(report.checks.map((c) => `${c.component} ${c.check}`)).toEqual([
    'fl-server fl metrics',
    'prometheus ready',
    'prometheus targets',
    'prometheus rules',
    'prometheus rule failures',
    'alertmanager ready',
    'alertmanager cluster',
    'victoria-metrics health',
  ]);
  expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
  // Every pod of the local stack that opts into scraping is a target, and all are up.
  expect(row(report, 'prometheus', 'targets')?.detail).toMatch(/^(\d+)\/\1 targets up$/);
  expect(row(report, 'prometheus', 'rules')?.detail).toMatch(/^\d+ groups, \d+ rules, none failing$/);
  expect(status).toBe(0);
});

test('an FL client stopped: its scrape target is down, the other client is up: warning naming it, exit 2', async () => {
  const victim = `${ComponentName.FL_CLIENT}-1`;
  await stack.process(victim).process.stop();
  const { status, report } = await until('the stopped client reported', (r) => r.status !== 0 && (row(r.report, 'prometheus', 'targets')?.detail.includes(victim) ?? false));
  expect(row(report, 'prometheus', 'targets')).toMatchObject({
    status: 'warning',
    detail: expect.stringMatching(new RegExp(`^\\d+/\\d+ targets up; down: fl-client ${stack.config.namespaces.training}/${victim} \\(.+\\)$`)),
  });
  expect(report.status).toBe('warning');
  expect(status).toBe(2);
});

test('the FL server stopped: its metrics are gone and its only target is down: critical, exit 1', async () => {
  await stack.processes.find((p) => p.component === ComponentName.FL_SERVER)!.process.stop();
  const { status, report } = await until('the stopped server reported', (r) => r.status === 1 && (row(r.report, 'prometheus', 'targets')?.detail.includes('no target up in job fl-server') ?? false));
  expect(row(report, 'fl-server', 'fl metrics')).toMatchObject({ status: 'critical', detail: expect.stringContaining('ECONNREFUSED') });
  expect(row(report, 'prometheus', 'targets')?.status).toBe('critical');
  expect(status).toBe(1);
});
