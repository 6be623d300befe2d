/**
 * The fault suite (issue 22): the generated minikube configuration (test/faults/fault-stack.yaml,
 * the live stack's plus a short remote-write lag threshold) running in the real binaries on
 * 127.0.0.1 through the live harness (test/live/harness.ts), with faults injected by signals to the
 * processes it started and what was lost counted:
 *  1. Prometheus SIGKILLed and restarted on its data directory;
 *  3. Alertmanager down when an alert starts firing (runs in the background while 2 and 4 run: they
 *     touch other processes), then the webhook receiver answering HTTP 500 for a while;
 *  2. VictoriaMetrics down longer than a scrape interval, shorter than the remote-write queue;
 *  4. the log agent (OpenTelemetry Collector) restarted, then SIGKILLed, while the FL pods log;
 *  5. the FL server killed mid-round (while the webhook part of 3 runs), then the clients, while
 *  the bounded load runs: 50 synthetic node-exporter targets × 199 series (test/faults/load.ts) and
 *  the dashboards' queries every 10 s. Concurrent faults touch different processes and are counted
 *  apart; running them together keeps the suite within its CI budget.
 * Every row of the results table (test/faults/teardown.js prints it) comes from these counts. One stack
 * for the file; every process, temporary directory and server is torn down however it ends.
 * Run alone: `npm run test:faults -- test/faults/faults.test.ts`.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { isWorkload } from '../../src/common/manifest';
import { ComponentName } from '../../src/common/names';
import { OTEL_STATE_DIR } from '../../src/components/otel-collector/config';
import { loadConfig } from '../../src/config/loader';
import { parseDuration } from '../../src/config/values';
import { buildHealthCli, runHealthCli } from '../health/cli';
import { tempDir, writeYaml } from '../health/processes';
import { startLiveStack, waitFor, type LiveComponent, type LiveStack } from '../live/harness';
import type { ExitStatus } from '../live/processes';
import { logsql, quote } from '../live/victoria-logs';
import { containerOf, mountsOf } from '../local/pods';
import {
  activeAlerts,
  alertState,
  compareLines,
  compareSamples,
  FAULT_STACK_CONFIG,
  instant,
  longTermCopy,
  prometheusSamples,
  promApi,
  report,
  scalar,
  ScrapeTarget,
  seconds,
  sequencedLines,
  sleep,
  WebhookReceiver,
  type Delivery,
  type SequencedLine,
} from './measure';
import { dashboardQueries, LoadTargets, quantile, recordingRules, timedRangeQuery } from './load';

const RECEIVER_SECRET = { name: 'alertmanager-receivers', key: 'oncall-webhook-url' };
const startedAt = Date.now();
/** Everything the file waits for shares this budget (the test timeout is a backstop). */
const BUDGET_MS = 9 * 60_000;
const deadline = (ms: number): number => Math.min(Date.now() + ms, startedAt + BUDGET_MS);
const verbose = process.env.FLOBS_FAULTS_VERBOSE === '1';
const note = (message: string): void => {
  if (verbose) {
    process.stderr.write(`[faults ${seconds(Date.now() - startedAt)} s] ${message}\n`);
  }
};

let stack: LiveStack;
let hook: WebhookReceiver;
/** A scrape target of the agents namespace the suite makes fail: ServiceDown fires for it on demand. */
let canary: ScrapeTarget;
let scratch: string | undefined;
let healthCli: string | undefined;
let healthConfig: string;
let scrapeMs: number;
let groupIntervalMs: number;
/** The synthetic node-exporter targets of the load (empty until it starts). */
let load: LoadTargets;
/** Until when the long-term store misses samples for a reason already counted (scenario 1). */
let remoteWriteGapUntil = 0;
/** The sizes of the bounded load: targets, series per target (24 CPUs × 8 modes + 7), duration. */
const LOAD = { targets: 50, seriesPerTarget: 199, durationMs: 120_000, queryEveryMs: 10_000 } as const;

/** Runs `work` in the background (while later tests run); its error is kept for the test that awaits it. */
function background<T>(work: () => Promise<T>): Promise<T | Error> {
  return work().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
}
/** The result of a background run, or its error thrown. */
async function joined<T>(run: Promise<T | Error> | undefined, what: string): Promise<T> {
  if (run === undefined) {
    throw new Error(`${what} was not started (its test was filtered out or failed)`);
  }
  const r = await run;
  if (r instanceof Error) {
    throw r;
  }
  return r;
}

const prom = (): string => stack.urls.prometheus!;
/** Prometheus hands discovered targets to its scrape manager at most every 5 s (discovery's update throttle). */
const DISCOVERY_THROTTLE_MS = 5000;
/** The single replicas of the minikube profile's StatefulSets. */
const PROMETHEUS_POD = `${ComponentName.PROMETHEUS}-0`;
const ALERTMANAGER_POD = `${ComponentName.ALERTMANAGER}-0`;
const VICTORIA_METRICS_POD = `${ComponentName.VICTORIA_METRICS}-0`;
/** The canary's pod (in the agents namespace of the config) and app (its job). */
const CANARY = { pod: 'fault-canary-0', app: 'fault-canary' } as const;
const canaryDown = { alertname: 'ServiceDown', pod: CANARY.pod } as const;

function ms(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) {
    throw new Error(`not a duration: ${duration}`);
  }
  return value;
}

/** The pod's terminationGracePeriodSeconds, from its synthesized workload. */
function graceMs(component: LiveComponent): number {
  const workload = stack.objects.filter(isWorkload).find((o) => o.metadata.labels?.['app.kubernetes.io/name'] === component);
  return ((workload?.spec.template.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? 30) * 1000;
}

/** Stops a pod's process as the kubelet stops a container: SIGTERM, SIGKILL after its grace period. */
async function stopGracefully(pod: string): Promise<ExitStatus> {
  const p = stack.process(pod);
  return p.process.stop(graceMs(p.component));
}

/** SIGKILLs a pod's process tree (looked up afresh: children started a moment ago too) and waits for it to end. */
async function kill(pod: string): Promise<ExitStatus> {
  const p = stack.process(pod).process;
  p.knownPids();
  p.killNow();
  return p.exited;
}

/** The newest sample appended minus the newest sample sent by the remote-write queue, seconds (undefined before both are scraped). */
const remoteWriteLag = (): Promise<number | undefined> =>
  scalar(prom(), 'max(prometheus_remote_storage_highest_timestamp_in_seconds{job="prometheus"}) - max(prometheus_remote_storage_queue_highest_sent_timestamp_seconds{job="prometheus"})');

/** Waits until remote_write has sent everything up to `at` (unix ms). */
async function remoteWriteSentPast(at: number, budgetMs: number): Promise<void> {
  await waitFor(`remote_write sent past ${new Date(at).toISOString()}`, deadline(budgetMs), async () => {
    const sent = await scalar(prom(), 'max(prometheus_remote_storage_queue_highest_sent_timestamp_seconds{job="prometheus"})');
    return sent !== undefined && sent * 1000 > at ? true : undefined;
  }, 1000);
}

/** Runs `npm run health`'s command with an `--endpoint` per component (no API server here: `--checks probes`). */
function health(): { status: number | null; report: { status: string; checks: { component: string; check: string; status: string; detail: string }[] } } {
  healthCli ??= buildHealthCli();
  const u = stack.urls;
  const endpoints = [
    [ComponentName.PROMETHEUS, u.prometheus],
    [ComponentName.ALERTMANAGER, u.alertmanager],
    [ComponentName.VICTORIA_METRICS, u.victoriaMetrics],
    [ComponentName.FL_SERVER, u.flServer],
  ].flatMap(([name, url]) => ['--endpoint', `${name}=${url}`]);
  const r = runHealthCli(healthCli, ['--checks', 'probes', '--format', 'json', ...endpoints], { STACK_CONFIG: healthConfig });
  return { status: r.status, report: r.stdout === '' ? { status: 'none', checks: [] } : JSON.parse(r.stdout) };
}

/** Polls the health command until `done`; the last report is in the error otherwise. */
async function healthUntil(what: string, done: (r: ReturnType<typeof health>) => boolean): Promise<ReturnType<typeof health>> {
  let last: ReturnType<typeof health> | undefined;
  try {
    return await waitFor(what, deadline(90_000), async () => {
      last = health();
      return done(last) ? last : undefined;
    }, 1000);
  } catch (err) {
    const rows = last?.report.checks.map((c) => `${c.status} ${c.component} ${c.check}: ${c.detail}`).join('\n') ?? '';
    throw new Error(`${(err as Error).message}\nlast report (exit ${last?.status}):\n${rows}`);
  }
}

beforeAll(async () => {
  const config = loadConfig({ STACK_CONFIG: FAULT_STACK_CONFIG });
  scrapeMs = ms(config.scrapeInterval);
  groupIntervalMs = ms(config.alertmanager.groupInterval);
  scratch = tempDir('faults');
  // The command checks what runs here: Grafana has no binary and Loki is not run (VictoriaLogs stands in).
  const raw = parse(readFileSync(FAULT_STACK_CONFIG, 'utf8')) as Record<string, unknown>;
  healthConfig = writeYaml(scratch, 'health-stack.yaml', { ...raw, grafana: { enabled: false }, loki: { enabled: false } });
  hook = await WebhookReceiver.start();
  canary = await ScrapeTarget.start({ ...CANARY, namespace: config.namespaces.agents, metrics: () => 'fault_canary_info 1\n' });
  load = await LoadTargets.start({ count: LOAD.targets, seriesPerTarget: LOAD.seriesPerTarget, namespace: config.namespaces.agents });
  stack = await startLiveStack({
    config,
    secrets: { [RECEIVER_SECRET.name]: { [RECEIVER_SECRET.key]: hook.url } },
    extraPods: [canary.pod, ...load.targets.map((t) => t.pod)],
    readyTimeoutMs: 180_000,
    log: note,
  });
  // Steady state: every target up, the FL workload through a round, remote_write caught up.
  const targets = stack.cluster.pods.filter((p) => p.annotations['prometheus.io/scrape'] === 'true').length;
  await waitFor('every target up and a completed FL round', deadline(240_000), async () => {
    const up = await instant(prom(), 'up');
    const rounds = await instant(prom(), 'min(fl_client_rounds_total) >= 1 and on() max(fl_rounds_completed_total) >= 1');
    if (up.length < targets || up.some((s) => s.value[1] !== '1') || rounds.length === 0) {
      throw new Error(`${up.filter((s) => s.value[1] === '1').length} of ${targets} targets up, a round seen: ${rounds.length > 0}`);
    }
    return true;
  }, 2000);
  note('steady state');
}, 600_000);

/** Pods a background scenario keeps down on purpose (the restore after each test leaves them alone). */
const heldDown = new Set<string>();

beforeEach(() => {
  const server = stack?.processes.find((p) => p.component === ComponentName.FL_SERVER);
  const rounds = server?.process.output().filter((l) => l.includes('"event":"round_completed"')).length;
  note(`▶ ${expect.getState().currentTestName ?? ''} (FL rounds completed by the current server process: ${rounds})`);
});

// Each scenario leaves the stack as it found it, also when it fails: whatever it left stopped
// is started again (as the kubelet would), so the next scenario starts from a running stack.
afterEach(async () => {
  for (const p of stack?.processes ?? []) {
    if (!p.process.isRunning() && !heldDown.has(p.pod.name)) {
      note(`restoring ${p.pod.name}, left stopped`);
      await stack.restart(p.pod.name).catch((err: unknown) => note(`could not restore ${p.pod.name}: ${(err as Error).message}`));
    }
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await hook?.close();
  await canary?.close();
  await load?.close();
  for (const dir of [scratch, healthCli === undefined ? undefined : dirname(healthCli)]) {
    if (dir !== undefined) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stderr.write(`fault suite (faults.test.ts): the whole run took ${seconds(Date.now() - startedAt)} s\n`);
}, 120_000);

test('1. Prometheus SIGKILLed mid-run and restarted on its data directory: WAL replayed, no sample lost, series continue, rules and alerts resume', async () => {
  // A pending alert to follow through the restart: the canary stops answering, ServiceDown (for: 1m) pends.
  canary.setFailing(true);
  const pendingBefore = await waitFor('ServiceDown pending for the canary', deadline(60_000), async () => {
    const [a] = await activeAlerts(prom(), 'ServiceDown', { pod: CANARY.pod });
    return a?.state === 'pending' ? a : undefined;
  }, 1000);
  // What Prometheus holds of the last minute, every series: it must all be there after the restart.
  const queriedAt = Date.now();
  const lastMinute = { selector: '{__name__=~".+"}', start: queriedAt - 60_000, end: queriedAt };
  const before = await prometheusSamples(prom(), lastMinute);

  const killedAt = Date.now();
  expect(await kill(PROMETHEUS_POD)).toMatchObject({ signal: 'SIGKILL' });
  const restarted = await stack.restart(PROMETHEUS_POD);
  const readyAt = Date.now();
  // What the queue had not sent at the kill is not sent after it (counted below): later windows start after it.
  remoteWriteGapUntil = readyAt + scrapeMs;
  const outage = readyAt - killedAt;
  const replay = restarted.process.output().find((l) => l.includes('WAL replay completed'));
  expect(replay).toBeDefined();

  // Nothing appended before the kill is lost: the same samples, series by series.
  const after = await prometheusSamples(prom(), lastMinute);
  const tsdb = compareSamples(before, after);
  expect(tsdb.examples).toEqual([]);
  expect(tsdb.missing).toBe(0);

  // Every target is scraped again, on its grid: the gap of each series spans the outage, the first
  // hand-over of the discovered targets to the scrape manager (Prometheus throttles it to every 5 s)
  // and at most one scrape interval either side (the last scrape before the kill, the first after).
  await sleep(DISCOVERY_THROTTLE_MS + 2 * scrapeMs + 1000);
  const ups = await prometheusSamples(prom(), { selector: 'up', start: killedAt - 3 * scrapeMs, end: Date.now() });
  const gaps = [...ups].map(([series, times]) => {
    const lastBefore = Math.max(...times.filter((t) => t <= killedAt));
    const firstAfter = Math.min(...times.filter((t) => t > killedAt));
    return { series, gap: firstAfter - lastBefore };
  });
  expect(gaps.length).toBe(stack.cluster.pods.filter((p) => p.annotations['prometheus.io/scrape'] === 'true').length);
  const longest = Math.max(...gaps.map((g) => g.gap));
  expect(gaps.filter((g) => !Number.isFinite(g.gap) || g.gap > outage + DISCOVERY_THROTTLE_MS + 2 * scrapeMs)).toEqual([]);

  // Rules resume: every group evaluated since the restart, none failing.
  const groups = await waitFor('every rule group evaluated after the restart', deadline(60_000), async () => {
    const { groups: g } = await promApi<{ groups: { name: string; lastEvaluation: string; rules: { health: string }[] }[] }>(prom(), '/api/v1/rules');
    return g.every((x) => Date.parse(x.lastEvaluation) > readyAt) ? g : undefined;
  }, 1000);
  expect(groups.flatMap((g) => g.rules.filter((r) => r.health !== 'ok').map(() => g.name))).toEqual([]);
  // The pending alert re-enters pending, its `for` clock restarted: Prometheus restores the `for`
  // state only of alerts whose `for` exceeds --rules.alert.for-grace-period (10m); ServiceDown's is 1m.
  const pendingAfter = await waitFor('ServiceDown pending again', deadline(30_000), async () => {
    const [a] = await activeAlerts(prom(), 'ServiceDown', { pod: CANARY.pod });
    return a?.state === 'pending' ? a : undefined;
  }, 1000);
  expect(Date.parse(pendingAfter.activeAt)).toBeGreaterThan(killedAt);
  expect(await alertState(prom(), 'Watchdog')).toBe('firing');

  // Long-term store: what the queue had not sent at the kill. On start the WAL watcher sends only
  // samples newer than its start, so those are not sent again (counted, not asserted).
  await remoteWriteSentPast(readyAt + scrapeMs, 60_000);
  const window = { selector: '{__name__=~".+"}', start: killedAt - 30_000, end: readyAt };
  const lt = await longTermCopy({ ...window, prometheus: prom(), victoriaMetrics: stack.urls.victoriaMetrics!, addedLabels: ['cluster'], dedupIntervalMs: scrapeMs, settleMs: 10_000 });
  note(`prometheus kill: ${JSON.stringify({ outage, tsdb, longest, lt: { ...lt, examples: lt.examples.length } })}`);
  process.stderr.write(
    `prometheus SIGKILL: ready again ${seconds(outage)} s after the kill (${replay}); ${tsdb.missing} of ${tsdb.samples} samples of ${tsdb.series} series of the minute before lost; ` +
      `longest gap ${seconds(longest)} s (scrape interval ${seconds(scrapeMs)} s); ${groups.length} rule groups evaluating; ServiceDown pending since ${pendingBefore.activeAt}, again since ${pendingAfter.activeAt}; ` +
      `remote_write: ${lt.missing} of ${lt.samples} samples of the 30 s before the kill not in VictoriaMetrics\n`,
  );
  report({
    scenario: 1,
    fault: 'Prometheus SIGKILL, restart on the same data dir',
    expected: 'WAL replayed, 0 samples lost, gap ≤ outage + 5 s target hand-over + 2 scrapes, rules and alerts resume',
    measured:
      `${tsdb.missing} of ${tsdb.samples} samples lost (${tsdb.series} series); longest gap ${seconds(longest)} s for a ${seconds(outage)} s outage; ` +
      `${groups.length} rule groups evaluating; pending alert re-entered pending; ${lt.missing} samples of the 30 s before the kill not remote-written`,
    recovery: `${seconds(outage)} s to ready`,
  });
});

/** What the Alertmanager outage measured (it runs while scenarios 2 and 4 run). */
interface AlertmanagerOutage {
  readonly stoppedAt: number;
  readonly firingAt: number;
  readonly backAt: number;
  readonly deliveredAt: number;
  readonly sendErrors: number;
  readonly exit: ExitStatus;
}
let alertmanagerOutage: Promise<AlertmanagerOutage | Error> | undefined;

async function runAlertmanagerOutage(): Promise<AlertmanagerOutage> {
  // Down shortly before the canary's ServiceDown (for: 1m) fires: it starts firing while Alertmanager is down.
  const [pending] = await activeAlerts(prom(), 'ServiceDown', { pod: CANARY.pod });
  if (pending?.state !== 'pending') {
    throw new Error(`the canary alert is ${pending?.state ?? 'inactive'}, not pending: Alertmanager must be down before it starts firing`);
  }
  await sleep(Date.parse(pending.activeAt) + 60_000 - 15_000 - Date.now());
  const errorsBefore = (await scalar(prom(), 'sum(prometheus_notifications_errors_total)')) ?? 0;
  const stoppedAt = Date.now();
  heldDown.add(ALERTMANAGER_POD);
  const exit = await stopGracefully(ALERTMANAGER_POD);
  const firingAt = await waitFor('the canary ServiceDown firing while Alertmanager is down', deadline(120_000), async () =>
    (await alertState(prom(), 'ServiceDown', { pod: CANARY.pod })) === 'firing' ? Date.now() : undefined,
  1000);
  // Prometheus tried to send it and failed.
  const sendErrors = await waitFor('a failed send to the stopped Alertmanager', deadline(60_000), async () => {
    const errors = (await scalar(prom(), 'sum(prometheus_notifications_errors_total)')) ?? 0;
    return errors > errorsBefore ? errors - errorsBefore : undefined;
  }, 1000);
  if (hook.about(canaryDown).length > 0) {
    throw new Error('the canary alert reached the webhook while Alertmanager was down');
  }
  await stack.restart(ALERTMANAGER_POD);
  heldDown.delete(ALERTMANAGER_POD);
  const backAt = Date.now();
  // Prometheus sends a firing alert again every --rules.alert.resend-delay (1m).
  const delivered = await waitFor('the canary alert at the webhook', deadline(150_000), async () => hook.about(canaryDown).find((d) => d.alertStatus === 'firing'), 500);
  return { stoppedAt, firingAt, backAt, deliveredAt: delivered.at, sendErrors, exit };
}

test('3a. Alertmanager down when an alert starts firing: stopped before it fires (the outage goes on while 2 and 4 run)', async () => {
  expect(await alertState(prom(), 'ServiceDown', { pod: CANARY.pod })).toBe('pending');
  alertmanagerOutage = background(() => runAlertmanagerOutage().finally(() => heldDown.delete(ALERTMANAGER_POD)));
});

test('2. VictoriaMetrics down longer than a scrape interval, shorter than the queue: zero samples lost, retries not failures, RemoteWriteBehind pending while down, resolved after', async () => {
  const vm = stack.urls.victoriaMetrics!;
  await waitFor('remote_write caught up', deadline(60_000), async () => {
    const lag = await remoteWriteLag();
    return lag !== undefined && lag * 1000 <= 2 * scrapeMs ? true : undefined;
  }, 1000);
  const counters = async () => ({
    failed: (await scalar(prom(), 'sum(prometheus_remote_storage_samples_failed_total)')) ?? 0,
    retried: (await scalar(prom(), 'sum(prometheus_remote_storage_samples_retried_total)')) ?? 0,
    rate: (await scalar(prom(), 'sum(rate(prometheus_remote_storage_samples_in_total[1m]))')) ?? 0,
    shardCapacity: (await scalar(prom(), 'min(prometheus_remote_storage_shard_capacity)')) ?? 0,
  });
  const start = await counters();
  const outageMs = 30_000;
  // Longer than a scrape interval; shorter than what one shard's queue holds at this rate.
  expect(outageMs).toBeGreaterThan(scrapeMs);
  expect(start.rate * (outageMs / 1000)).toBeLessThan(start.shardCapacity);

  const downAt = Date.now();
  const exit = await stopGracefully(VICTORIA_METRICS_POD);
  expect(exit.signal).not.toBe('SIGKILL');
  // While down: the lag alert pends, the store's target-down alert pends (for: 5m), and the failure
  // alert stays quiet: refused connections are retried, not failed.
  const behind = await waitFor('PrometheusRemoteWriteBehind pending', deadline(outageMs + 30_000), async () =>
    (await alertState(prom(), 'PrometheusRemoteWriteBehind')) !== 'inactive' ? Date.now() : undefined,
  1000);
  await sleep(downAt + outageMs - Date.now());
  const during = {
    behind: await alertState(prom(), 'PrometheusRemoteWriteBehind'),
    vmDown: await alertState(prom(), 'VictoriaMetricsDown'),
    failing: await alertState(prom(), 'PrometheusRemoteWriteFailing'),
    counters: await counters(),
    pending: (await scalar(prom(), 'sum(prometheus_remote_storage_samples_pending)')) ?? 0,
  };
  await stack.restart(VICTORIA_METRICS_POD);
  const upAt = Date.now();
  expect(during.behind).toBe('pending');
  expect(during.vmDown).toBe('pending');
  expect(during.failing).toBe('inactive');
  expect(during.counters.failed - start.failed).toBe(0);
  expect(during.counters.retried - start.retried).toBeGreaterThan(0);

  // Caught up: everything appended until the store returned was sent.
  await remoteWriteSentPast(upAt + scrapeMs, 90_000);
  const caughtUpAt = Date.now();
  const resolvedAt = await waitFor('the remote-write alerts resolved', deadline(60_000), async () =>
    (await alertState(prom(), 'PrometheusRemoteWriteBehind')) === 'inactive' && (await alertState(prom(), 'VictoriaMetricsDown')) === 'inactive' ? Date.now() : undefined,
  1000);
  const end = await counters();
  // Every sample of every series Prometheus holds for the outage (and 30 s either side) is in the store.
  // (Not before the samples scenario 1 already counted as not remote-written.)
  const window = { selector: '{__name__=~".+"}', start: Math.max(downAt - 30_000, remoteWriteGapUntil), end: upAt + 15_000 };
  await remoteWriteSentPast(window.end + scrapeMs, 60_000);
  const lost = await longTermCopy({ ...window, prometheus: prom(), victoriaMetrics: vm, addedLabels: ['cluster'], dedupIntervalMs: scrapeMs, settleMs: 60_000 });
  if (lost.extra > 0) {
    note(`samples VictoriaMetrics holds and Prometheus does not: ${lost.extraExamples.join('; ')}`);
  }
  process.stderr.write(
    `victoria-metrics down ${seconds(upAt - downAt)} s (stopped with ${JSON.stringify(exit)}); ingest ${during.counters.rate.toFixed(0)} samples/s, ` +
      `one shard holds ${start.shardCapacity} (${seconds((start.shardCapacity / Math.max(1, start.rate)) * 1000)} s); ${during.pending} samples pending at the end of the outage; ` +
      `PrometheusRemoteWriteBehind pending ${seconds(behind - downAt)} s after the stop, resolved ${seconds(resolvedAt - upAt)} s after the return; ` +
      `caught up ${seconds(caughtUpAt - upAt)} s after the return; retried ${end.retried - start.retried}, failed ${end.failed - start.failed}; ` +
      `${lost.missing} of ${lost.samples} samples of ${lost.series} series missing in VictoriaMetrics, ${lost.extra} extra\n`,
  );
  report({
    scenario: 2,
    fault: `VictoriaMetrics down ${seconds(upAt - downAt)} s (> ${seconds(scrapeMs)} s scrape, < queue)`,
    expected: '0 samples lost; retried, not failed; RemoteWriteBehind pending while down, resolved after',
    measured:
      `${lost.missing} of ${lost.samples} samples lost (${lost.series} series); retried ${end.retried - start.retried}, failed ${end.failed - start.failed}; ` +
      `RemoteWriteBehind ${during.behind}, VictoriaMetricsDown ${during.vmDown}, RemoteWriteFailing ${during.failing} while down; both resolved`,
    recovery: `${seconds(caughtUpAt - upAt)} s to catch up, ${seconds(resolvedAt - upAt)} s to resolve`,
  });
  expect(lost.examples).toEqual([]);
  expect(lost.missing).toBe(0);
  expect(end.failed - start.failed).toBe(0);
});

/** The FL pods' CRI log files (every restart's), and their JSON lines with a sequence number. */
function flLines(): SequencedLine[] {
  const files = stack.processes
    .filter((p) => p.component === ComponentName.FL_SERVER || p.component === ComponentName.FL_CLIENT)
    .flatMap((p) => {
      const dir = join(stack.podLogDir, `${p.pod.namespace}_${p.pod.name}_${p.pod.uid}`, p.container);
      return readdirSync(dir)
        .filter((f) => /^\d+\.log$/.test(f))
        .map((f) => join(dir, f));
    });
  return sequencedLines(files, (f) => readFileSync(f, 'utf8'));
}

/** The FL lines in VictoriaLogs: their file (the collector's `log.file.path`) and sequence number. */
async function storedFlLines(): Promise<SequencedLine[]> {
  const entries = await logsql(stack.logSink!, `{namespace=${quote(stack.config.namespaces.training)}} seq:* | fields log.file.path, seq`, { start: startedAt - 60_000, limit: 1_000_000 });
  return entries.map((e) => ({ file: e['log.file.path'], seq: Number(e.seq) }));
}

/** Restarts the collector after `stop`, with FL lines written while it is down; every line must arrive once. */
async function logAgentRestart(how: 'SIGTERM' | 'SIGKILL'): Promise<{ down: number; writtenWhileDown: number; lines: ReturnType<typeof compareLines>; recovery: number; exit: ExitStatus }> {
  const agent = stack.processes.find((p) => p.component === ComponentName.OTEL_COLLECTOR)!.pod.name;
  const linesBefore = flLines().length;
  const downAt = Date.now();
  const exit = how === 'SIGKILL' ? await kill(agent) : await stopGracefully(agent);
  // Down until the FL pods have written a few lines it has not read.
  const writtenWhileDown = await waitFor('FL lines written while the agent is down', deadline(60_000), async () => {
    const n = flLines().length - linesBefore;
    return n >= 5 ? n : undefined;
  }, 500);
  await stack.restart(agent);
  const upAt = Date.now();
  // Everything written until now arrives (the batch timeout is 5 s, the exporter retries from 5 s).
  const written = flLines();
  // Stored lines are compared with the lines written by the time they were read (the pods keep logging).
  const compare = async (): Promise<ReturnType<typeof compareLines>> => {
    const stored = await storedFlLines();
    return compareLines(written, stored, flLines());
  };
  let last = await compare();
  await waitFor('every FL line written so far in VictoriaLogs', deadline(90_000), async () => {
    last = await compare();
    return last.lost === 0 ? true : undefined;
  }, 2000).catch(() => undefined);
  const recovery = Date.now() - upAt;
  // Late duplicates (a resent batch) would arrive within the exporter's retry interval: look again.
  await sleep(6000);
  const final = await compare();
  return { down: upAt - downAt, writtenWhileDown, lines: final.lost <= last.lost ? final : last, recovery, exit };
}

test('4. log agent (OpenTelemetry Collector) restarted while the FL pods log: every line in VictoriaLogs exactly once; positions on the DaemonSet\'s host path', async () => {
  const agent = stack.processes.find((p) => p.component === ComponentName.OTEL_COLLECTOR)!;
  // Its file_storage (read positions and the persistent send queue) is the hostPath the DaemonSet mounts.
  const daemonSet = stack.objects.filter(isWorkload).find((o) => o.metadata.labels?.['app.kubernetes.io/name'] === ComponentName.OTEL_COLLECTOR)!;
  const stateMount = mountsOf(daemonSet, containerOf(daemonSet, agent.container)).find((m) => m.path === OTEL_STATE_DIR);
  expect(stateMount?.source.kind).toBe('hostPath');
  const hostPath = stateMount?.source.kind === 'hostPath' ? stateMount.source.path : '';
  const storage = (stack.localConfigs['config.yaml'] as { extensions: { file_storage: { directory: string } } }).extensions.file_storage.directory;
  expect(storage).toBe(join(stack.root, 'node', hostPath));
  expect(agent.mounts.find((m) => m.path === OTEL_STATE_DIR)?.localPath).toBe(storage);
  expect(readdirSync(storage).length).toBeGreaterThan(0);

  const graceful = await logAgentRestart('SIGTERM');
  const killed = await logAgentRestart('SIGKILL');
  for (const [how, r] of [['restart (SIGTERM)', graceful], ['SIGKILL', killed]] as const) {
    process.stderr.write(
      `log agent ${how}: down ${seconds(r.down)} s (${JSON.stringify(r.exit)}), ${r.writtenWhileDown} FL lines written meanwhile; of ${r.lines.written} FL lines written since the start: ` +
        `${r.lines.lost} lost, ${r.lines.duplicated} duplicated, ${r.lines.unknown} unknown; all in ${seconds(r.recovery)} s after the restart ${r.lines.examples.join('; ')}\n`,
    );
    report({
      scenario: 4,
      fault: `log agent ${how} while the FL pods log (down ${seconds(r.down)} s)`,
      expected: 'every line in VictoriaLogs exactly once (by seq)',
      measured: `${r.lines.lost} of ${r.lines.written} lines lost, ${r.lines.duplicated} duplicated (${r.writtenWhileDown} written while down)`,
      recovery: `${seconds(r.recovery)} s until all lines stored`,
    });
  }
  expect(graceful.lines).toMatchObject({ lost: 0, duplicated: 0, unknown: 0 });
  expect(killed.lines).toMatchObject({ lost: 0, unknown: 0 });
});

test('3a. … the alert reaches the webhook once Alertmanager returns (counted to the end of 3b: exactly once)', async () => {
  const r = await joined(alertmanagerOutage, 'the Alertmanager outage');
  const firing = hook.delivered(canaryDown, 'firing');
  process.stderr.write(
    `alertmanager down ${seconds(r.backAt - r.stoppedAt)} s (${JSON.stringify(r.exit)}); the canary ServiceDown fired ${seconds(r.firingAt - r.stoppedAt)} s into the outage, ` +
      `${r.sendErrors} failed sends; delivered ${seconds(r.deliveredAt - r.backAt)} s after Alertmanager returned\n`,
  );
  alertmanagerDelivery = r;
  expect(firing.distinct).toBeGreaterThanOrEqual(1);
  expect(hook.about(canaryDown).find((d) => d.alertStatus === 'firing')?.payload.receiver).toBe(stack.config.alertmanager.routes.critical);
});
let alertmanagerDelivery: AlertmanagerOutage | undefined;

/** What the failing receiver measured. */
interface FailingReceiver {
  readonly firstFailureAt: number;
  readonly recoversAt: number;
  readonly deliveredAt: number;
}
let failingReceiver: Promise<FailingReceiver | Error> | undefined;
const resolvedCanary = (d: Delivery & { alertStatus: string }): boolean => d.alertStatus === 'resolved';
/** How long the receiver answers 500 after the first failed delivery. */
const RECEIVER_FAILS_MS = 20_000;

async function runFailingReceiver(): Promise<FailingReceiver> {
  // The canary recovers: the resolved notification meets a failing receiver.
  hook.failDeliveriesUntil(Number.POSITIVE_INFINITY);
  canary.setFailing(false);
  const firstFailure = await waitFor('a resolved notification answered 500', deadline(90_000), async () => hook.about(canaryDown).find((d) => resolvedCanary(d) && d.answered === 500), 500);
  const recoversAt = firstFailure.at + RECEIVER_FAILS_MS;
  hook.failDeliveriesUntil(recoversAt);
  const delivered = await waitFor('the resolved notification delivered', deadline(120_000), async () => hook.about(canaryDown).find((d) => resolvedCanary(d) && d.answered === 200), 500);
  // Past two group intervals after the delivery: no second copy of either notification.
  await sleep(delivered.at + 2 * groupIntervalMs + 5000 - Date.now());
  return { firstFailureAt: firstFailure.at, recoversAt, deliveredAt: delivered.at };
}

test('3b. the webhook receiver answers HTTP 500 for a while (runs while 5a runs): started', () => {
  failingReceiver = background(runFailingReceiver);
});

const flPods = (component: ComponentName): string[] => stack.processes.filter((p) => p.component === component).map((p) => p.pod.name);

/** Waits for the FL server to log the start of a round after now. */
async function roundStarted(): Promise<void> {
  const out = stack.process(flPods(ComponentName.FL_SERVER)[0]).process;
  const mark = out.output().length;
  await waitFor('a round started', deadline(120_000), async () => (out.output().slice(mark).some((l) => l.includes('"event":"round_started"')) ? true : undefined), 100);
}

test('5a. FL server SIGKILLed mid-round: health critical (exit 1); after its restart (and of any client that gave up, as the kubelet would) a round completes', async () => {
  const [server] = flPods(ComponentName.FL_SERVER);
  const clients = flPods(ComponentName.FL_CLIENT);
  await healthUntil('a healthy report', (r) => r.status === 0);
  await roundStarted();
  const killedAt = Date.now();
  expect(await kill(server)).toMatchObject({ signal: 'SIGKILL' });
  const critical = await healthUntil('critical, exit 1', (r) => r.status === 1);
  expect(critical.report.checks.find((c) => c.component === ComponentName.FL_SERVER && c.check === 'fl metrics')?.status).toBe('critical');
  const criticalAfter = Date.now() - killedAt;
  await stack.restart(server);
  const backAt = Date.now();
  // Without their SuperLink the clients' SuperNodes retry, and may give up: a client whose process
  // exits (code 1) is restarted, as the kubelet restarts it (restartPolicy Always).
  const exits: { pod: string; status: ExitStatus }[] = [];
  const recoveredAt = await waitFor('a round completed by the restarted server', deadline(180_000), async () => {
    for (const c of clients.filter((x) => !stack.process(x).process.isRunning())) {
      exits.push({ pod: c, status: stack.process(c).process.exitStatus! });
      await stack.restart(c);
    }
    // The new server's counter starts again (a reset) and counts a completed round.
    const r = await instant(prom(), 'fl_rounds_completed_total{job="fl-server"} >= 1 and resets(fl_rounds_completed_total{job="fl-server"}[5m]) > 0');
    return r.length > 0 ? Date.now() : undefined;
  }, 1000);
  await healthUntil('healthy again', (r) => r.status === 0);
  process.stderr.write(
    `FL server SIGKILLed mid-round: health critical (exit 1) after ${seconds(criticalAfter)} s; restarted; clients that exited and were restarted: ${JSON.stringify(exits)}; ` +
      `a round completed ${seconds(recoveredAt - backAt)} s after the restart; health ok again\n`,
  );
  report({
    scenario: 5,
    fault: 'FL server SIGKILL mid-round, restarted',
    expected: '`npm run health` critical, exit 1; metrics recover after restart',
    measured: `critical, exit 1 after ${seconds(criticalAfter)} s; ${exits.length} client(s) exited meanwhile and were restarted as the kubelet does`,
    recovery: `${seconds(recoveredAt - backAt)} s to a completed round`,
  });
  expect(exits.filter((e) => e.status.code !== 1)).toEqual([]);
});

test('3b. … the failing receiver: the resolved notification is retried and delivered once; the firing one of 3a was delivered once', async () => {
  const r = await joined(failingReceiver, 'the failing receiver');
  const attempts = hook.about(canaryDown).filter(resolvedCanary);
  const ok = attempts.filter((d) => d.answered === 200);
  const failures = attempts.filter((d) => d.answered === 500);
  const firing = hook.delivered(canaryDown, 'firing');
  const resolved = hook.delivered(canaryDown, 'resolved');
  const failedCounter = (await scalar(prom(), 'sum(alertmanager_notifications_failed_total{integration="webhook"})')) ?? 0;
  const am = alertmanagerDelivery;
  process.stderr.write(
    `webhook answering 500 for ${seconds(r.recoversAt - r.firstFailureAt)} s: ${failures.length} attempts failed, ${ok.length} delivered ` +
      `${seconds(r.deliveredAt - r.recoversAt)} s after it recovered; Alertmanager counts ${failedCounter} failed webhook notifications; ` +
      `the canary's firing notifications: ${firing.distinct} (+${firing.duplicated} copies), resolved: ${resolved.distinct} (+${resolved.duplicated} copies)\n`,
  );
  if (am !== undefined) {
    report({
      scenario: 3,
      fault: `Alertmanager down ${seconds(am.backAt - am.stoppedAt)} s as an alert starts firing`,
      expected: 'delivered exactly once after it returns',
      measured: `delivered: ${Math.min(1, firing.distinct)}, lost ${firing.distinct === 0 ? 1 : 0}, duplicated ${firing.duplicated} (${am.sendErrors} failed sends while down)`,
      recovery: `${seconds(am.deliveredAt - am.backAt)} s after it returned (resend delay 1m)`,
    });
  }
  report({
    scenario: 3,
    fault: `webhook receiver answers HTTP 500 for ${seconds(RECEIVER_FAILS_MS)} s`,
    expected: 'retried, delivered once',
    measured: `${failures.length} attempts answered 500, retried; delivered: ${Math.min(1, resolved.distinct)}, lost ${resolved.distinct === 0 ? 1 : 0}, duplicated ${resolved.duplicated}`,
    recovery: `${seconds(Math.max(0, r.deliveredAt - r.recoversAt))} s after the receiver recovered`,
  });
  expect(failures.length).toBeGreaterThanOrEqual(1);
  expect(ok.length).toBeGreaterThanOrEqual(1);
  expect(resolved).toEqual({ distinct: 1, duplicated: 0 });
  expect(firing.duplicated).toBe(0);
  expect(firing.distinct).toBeGreaterThanOrEqual(1);
});

/** What the load measured. */
interface LoadFigures {
  readonly start: number;
  readonly end: number;
  readonly dashboardLatencies: number[];
  readonly dashboardErrors: string[];
  readonly refreshes: number;
  readonly queriesPerRefresh: number;
  readonly rules: { record: string; recorded: number[]; raw: number[] }[];
}
let loadRun: Promise<LoadFigures | Error> | undefined;
/** What a dashboard shows by default: the last 15 minutes, a point per 15 s. */
const PANEL_RANGE = { rangeSeconds: 900, stepSeconds: 15 } as const;

async function runLoad(): Promise<LoadFigures> {
  const queries = dashboardQueries(stack.config);
  const rules = recordingRules(stack.config).map((r) => ({ ...r, recorded: [] as number[], raw: [] as number[] }));
  const dashboardLatencies: number[] = [];
  const dashboardErrors: string[] = [];
  load.begin();
  const start = Date.now();
  let refreshes = 0;
  while (Date.now() < start + LOAD.durationMs) {
    const tick = Date.now();
    refreshes += 1;
    // A refresh of every dashboard (the last 15 minutes, a point per 15 s), then each recording rule
    // read as its recorded series and as the expression it stands for.
    for (const q of queries) {
      try {
        dashboardLatencies.push(await timedRangeQuery(prom(), { expr: q.expr, ...PANEL_RANGE }));
      } catch (err) {
        dashboardErrors.push(`${q.panel}: ${(err as Error).message}`);
      }
    }
    for (const r of rules) {
      r.recorded.push(await timedRangeQuery(prom(), { expr: r.record, ...PANEL_RANGE }));
      r.raw.push(await timedRangeQuery(prom(), { expr: r.expr, ...PANEL_RANGE }));
    }
    await sleep(Math.min(tick + LOAD.queryEveryMs, start + LOAD.durationMs) - Date.now());
  }
  const end = Date.now();
  load.end();
  return { start, end, dashboardLatencies, dashboardErrors, refreshes, queriesPerRefresh: queries.length, rules: rules.map(({ record, recorded, raw }) => ({ record, recorded, raw })) };
}

test('load: the bounded load starts (it runs while 5b runs)', () => {
  loadRun = background(runLoad);
});

test('5b. FL clients SIGKILLed mid-round: one down, health warning (exit 2); both down, critical (exit 1); FlClientFailures through its generated route; rounds resume after their restart', async () => {
  const ns = stack.config.namespaces.training;
  const clients = flPods(ComponentName.FL_CLIENT);
  await roundStarted();
  const killedAt = Date.now();
  // One client: the job still has a target up, a warning naming the other.
  expect(await kill(clients[1])).toMatchObject({ signal: 'SIGKILL' });
  const warning = await healthUntil('warning, exit 2', (r) => r.status === 2 && (r.report.checks.find((c) => c.check === 'targets')?.detail.includes(clients[1]) ?? false));
  expect(warning.report.checks.find((c) => c.component === ComponentName.PROMETHEUS && c.check === 'targets')?.status).toBe('warning');
  const warningAfter = Date.now() - killedAt;
  // The other: no target of the job is up, critical.
  const secondKilledAt = Date.now();
  expect(await kill(clients[0])).toMatchObject({ signal: 'SIGKILL' });
  const critical = await healthUntil('critical, exit 1', (r) => r.status === 1 && (r.report.checks.find((c) => c.check === 'targets')?.detail.includes(`no target up in job ${ComponentName.FL_CLIENT}`) ?? false));
  expect(critical.report.checks.find((c) => c.component === ComponentName.PROMETHEUS && c.check === 'targets')?.status).toBe('critical');
  const criticalAfter = Date.now() - secondKilledAt;
  // The FL alert of failing clients fires and reaches the webhook through the route of its severity.
  // (Usually after about 80 s; a client killed while uploading a reply leaves Flower's SuperLink waiting
  // for that upload before the round can fail, which took longer than 240 s in one run; 420 s keeps the test inside its 600 s timeout.)
  const flAlert = await waitFor('FlClientFailures at the webhook', deadline(420_000), async () =>
    hook.about({ alertname: 'FlClientFailures', namespace: ns }).find((d) => d.alertStatus === 'firing' && d.answered === 200),
  1000);
  const severity = flAlert.payload.alerts.find((a) => a.labels.alertname === 'FlClientFailures')!.labels.severity as 'critical' | 'warning' | 'info';
  expect(flAlert.payload.receiver).toBe(stack.config.alertmanager.routes[severity]);
  for (const c of clients) {
    await stack.restart(c);
  }
  const backAt = Date.now();
  const recoveredAt = await waitFor('both clients report a round again', deadline(180_000), async () => {
    const r = await instant(prom(), `increase(fl_client_rounds_total{namespace="${ns}"}[30s]) > 0`);
    return new Set(r.map((x) => x.metric.pod)).size === clients.length ? Date.now() : undefined;
  }, 1000);
  process.stderr.write(
    `FL clients SIGKILLed mid-round: one down, health warning (exit 2) after ${seconds(warningAfter)} s; both down, critical (exit 1) after ${seconds(criticalAfter)} s; ` +
      `FlClientFailures (${severity}) at the webhook ${seconds(flAlert.at - killedAt)} s after the first kill via ${flAlert.payload.receiver}; both clients reporting rounds ${seconds(recoveredAt - backAt)} s after their restart\n`,
  );
  report({
    scenario: 5,
    fault: 'FL clients SIGKILL mid-round (one, then the other), restarted',
    expected: '`npm run health` warning (exit 2), then critical (exit 1); FL alert via its generated route; rounds resume',
    measured:
      `warning, exit 2 after ${seconds(warningAfter)} s; critical, exit 1 after ${seconds(criticalAfter)} s; ` +
      `FlClientFailures (${severity}) to receiver ${flAlert.payload.receiver} after ${seconds(flAlert.at - killedAt)} s`,
    recovery: `${seconds(recoveredAt - backAt)} s until both clients report rounds`,
  });
  expect(stack.exposedSockets()).toEqual([]);
});

test(`load: ${LOAD.targets} targets × ${LOAD.seriesPerTarget} series for ${LOAD.durationMs / 1000} s, the dashboards refreshed every ${LOAD.queryEveryMs / 1000} s: nothing dropped or failed, every sample in VictoriaMetrics; figures printed`, async () => {
  const f = await joined(loadRun, 'the load');
  const span = (f.end - f.start) / 1000;
  const range = `${Math.round(span)}s`;
  const at = f.end;
  const q = async (expr: string): Promise<number> => (await scalar(prom(), expr, at)) ?? Number.NaN;
  const appendedPerSecond = (await q(`sum(increase(prometheus_tsdb_head_samples_appended_total[${range}]))`)) / span;
  const loadSeries = (await scalar(prom(), 'count({job="node-exporter", __name__!~"up|scrape_.*"})', f.end - 1000)) ?? 0;
  const minUp = await q(`min(min_over_time(up{job="node-exporter"}[${range}]))`);
  const rejected = await q(
    `sum(increase(prometheus_target_scrapes_sample_out_of_order_total[${range}])) + sum(increase(prometheus_target_scrapes_sample_duplicate_timestamp_total[${range}])) + ` +
      `sum(increase(prometheus_target_scrapes_exceeded_sample_limit_total[${range}])) + sum(increase(prometheus_target_scrapes_sample_out_of_bounds_total[${range}]))`,
  );
  const groups = await instant(prom(), `max by (rule_group) (max_over_time(prometheus_rule_group_last_duration_seconds[${range}]))`, at);
  const nodeRules = groups.find((g) => g.metric.rule_group.endsWith(';node.recording'));
  const slowest = [...groups].sort((a, b) => Number(b.value[1]) - Number(a.value[1]))[0];
  const ruleFailures = await q(`sum(increase(prometheus_rule_evaluation_failures_total[${range}]))`);
  const maxLag = await q(
    `max_over_time((max(prometheus_remote_storage_highest_timestamp_in_seconds) - max(prometheus_remote_storage_queue_highest_sent_timestamp_seconds))[${range}:${scrapeMs / 1000}s])`,
  );
  const failed = await q(`sum(increase(prometheus_remote_storage_samples_failed_total[${range}]))`);
  const retried = await q(`sum(increase(prometheus_remote_storage_samples_retried_total[${range}]))`);
  // Every load sample Prometheus scraped is in VictoriaMetrics.
  await remoteWriteSentPast(f.end + scrapeMs, 90_000);
  const window = { selector: '{job="node-exporter"}', start: f.start, end: f.end };
  const inVm = await longTermCopy({ ...window, prometheus: prom(), victoriaMetrics: stack.urls.victoriaMetrics!, addedLabels: ['cluster'], dedupIntervalMs: scrapeMs, settleMs: 60_000 });
  const msText = (v: number): string => `${v.toFixed(0)} ms`;
  const p50p99 = (v: readonly number[]): string => `p50 ${msText(quantile(v, 0.5))} / p99 ${msText(quantile(v, 0.99))}`;
  const rules = f.rules.map((r) => `${r.record}: ${p50p99(r.recorded)} recorded vs ${p50p99(r.raw)} as its expression`);
  const ruleMs = (g: (typeof groups)[number] | undefined): string => `${(Number(g?.value[1] ?? 0) * 1000).toFixed(1)} ms`;
  process.stderr.write(
    `load: ${LOAD.targets} targets × ${LOAD.seriesPerTarget} series scraped every ${scrapeMs / 1000} s for ${span.toFixed(0)} s (${loadSeries} series): ${appendedPerSecond.toFixed(0)} samples/s appended in all; ` +
      `targets up throughout: ${minUp === 1}; samples rejected at scrape ${rejected}; rule groups: node.recording ≤ ${ruleMs(nodeRules)}, slowest ${slowest?.metric.rule_group} ${ruleMs(slowest)}, ${ruleFailures} failures; ` +
      `remote_write lag ≤ ${maxLag.toFixed(1)} s, failed ${failed}, retried ${retried}; ${inVm.missing} of ${inVm.samples} load samples missing in VictoriaMetrics; ` +
      `dashboards: ${f.refreshes} refreshes of ${f.queriesPerRefresh} queries, ${p50p99(f.dashboardLatencies)}, ${f.dashboardErrors.length} errors; ` +
      `recording rules (15 min range): ${rules.join('; ')}\n`,
  );
  report({
    scenario: 7,
    fault: `load: ${LOAD.targets} targets × ${LOAD.seriesPerTarget} series, ${scrapeMs / 1000} s scrape, ${span.toFixed(0)} s, dashboards every ${LOAD.queryEveryMs / 1000} s`,
    expected: 'nothing dropped or failed; every sample in VictoriaMetrics',
    measured:
      `${appendedPerSecond.toFixed(0)} samples/s; ${inVm.missing} of ${inVm.samples} samples lost, ${failed} failed, ${rejected} rejected; rule groups ≤ ${ruleMs(slowest)}; ` +
      `remote_write lag ≤ ${maxLag.toFixed(1)} s; dashboard queries ${p50p99(f.dashboardLatencies)}; ${rules.join('; ')}`,
    recovery: '-',
  });
  expect(f.dashboardErrors).toEqual([]);
  expect(minUp).toBe(1);
  expect(loadSeries).toBe(LOAD.targets * LOAD.seriesPerTarget);
  expect(rejected).toBe(0);
  expect(ruleFailures).toBe(0);
  expect(failed).toBe(0);
  expect(inVm.examples).toEqual([]);
  expect(inVm.missing).toBe(0);
});

test('the FL workload numbers its JSON lines: seq is in every line of the FL pods', () => {
  const lines = flLines();
  expect(lines.length).toBeGreaterThan(0);
  // Per file, 1, 2, 3, … without gaps (one writer per container run).
  const byFile = new Map<string, number[]>();
  lines.forEach((l) => byFile.set(l.file, [...(byFile.get(l.file) ?? []), l.seq]));
  for (const [file, seqs] of byFile) {
    expect({ file, seqs: seqs.slice(0, 3) }).toEqual({ file, seqs: [1, 2, 3].slice(0, seqs.length) });
    expect({ file, gaps: seqs.filter((s, i) => s !== i + 1).length }).toEqual({ file, gaps: 0 });
  }
});
