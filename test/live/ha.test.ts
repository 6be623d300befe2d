/**
 * The production HA, live (issue 17): the generated config of the production profile
 * (test/live/ha-stack.yaml) with its two Prometheus replicas and three clustered Alertmanager peers,
 * run as real processes on 127.0.0.1 by the harness of the live stack (test/live/harness.ts), with
 * their generated args, env (POD_NAME = prometheus-0 / prometheus-1), mounted configs and rules.
 * Only discovery, Service and pod DNS names, container paths and listen ports are localized
 * (test/local/): the peers' `alertmanager-N.alertmanager-headless.<ns>.svc:9094` become
 * their loopback gossip ports, and the Alertmanager Service's endpoints become three static targets.
 *
 * - HA data is stored once: both replicas remote-write to one VictoriaMetrics (the replica label is
 *   dropped on the write path), which holds each target's series once, with one replica's sums.
 * - Alertmanager HA delivers once: both replicas alert all three peers; each alert group reaches the
 *   webhook exactly once, before and after the peer that notifies first is SIGKILLed.
 *
 * The OpenTelemetry Collector is not started (skip): log shipping is not under test here and the
 * machine has 2 cores. Run alone: `npm run test:live -- test/live/ha.test.ts`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ComponentName, Ports } from '../../src/common/names';
import { loadConfig } from '../../src/config/loader';
import { parseDuration } from '../../src/config/values';
import { REPLICA_LABEL } from '../../src/components/prometheus/config';
import { SERVICE_DOWN } from '../../src/monitoring/alert-presets';
import type { ManifestObject } from '../../src/common/manifest';
import { containerOf } from '../local/pods';
import { startLiveStack, waitFor, type LiveStack } from './harness';

/** The stack config of this test: the production profile plus what a short local run needs. */
const HA_STACK_CONFIG = `${__dirname}/ha-stack.yaml`;
const startedAt = Date.now();
/** Everything the suite waits for shares this budget (the test timeout is a backstop). */
const SUITE_BUDGET_MS = 8 * 60_000;
const deadline = (ms: number): number => Math.min(Date.now() + ms, startedAt + SUITE_BUDGET_MS);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The receiver URL key of the production profile's webhook receiver. */
const RECEIVER_SECRET = { name: 'alertmanager-receivers', key: 'oncall-webhook-url' };
/** Alertmanager's `--cluster.peer-timeout` when the args do not set it (upstream default). */
const DEFAULT_PEER_TIMEOUT = '15s';

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  startsAt: string;
}
interface WebhookPayload {
  receiver: string;
  status: string;
  groupKey: string;
  alerts: WebhookAlert[];
}
interface Notification {
  at: number;
  payload: WebhookPayload;
}
interface Series {
  metric: Record<string, string>;
  value: [number, string];
}
interface ClusterStatus {
  cluster: { name: string; status: string; peers: { name: string; address: string }[] };
}

let stack: LiveStack;
let webhook: Server;
const notifications: Notification[] = [];

async function apiGet<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}
async function promApi<T>(base: string, path: string, params: Record<string, string> = {}): Promise<T> {
  const body = await apiGet<{ status?: string; data?: T; error?: string }>(`${base}${path}?${new URLSearchParams(params)}`);
  if (body.status !== 'success') {
    throw new Error(`${base}${path} ${JSON.stringify(params)}: ${body.error ?? 'no success'}`);
  }
  return body.data as T;
}
const instant = async (base: string, query: string, time: number): Promise<Series[]> =>
  (await promApi<{ result: Series[] }>(base, '/api/v1/query', { query, time: String(time) })).result;

const podsOf = (component: ComponentName): string[] =>
  stack.cluster.pods
    .filter((p) => p.labels['app.kubernetes.io/name'] === component)
    .map((p) => p.name)
    .sort();
const prometheusUrl = (pod: string): string => stack.podUrl(pod, Ports.prometheus);
const alertmanagerUrl = (pod: string): string => stack.podUrl(pod, Ports.alertmanager);
/** Gossip updates (notification log, silences) a peer has received from the others. */
async function gossipUpdates(pod: string): Promise<number> {
  const res = await fetch(`${alertmanagerUrl(pod)}/metrics`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith('alertmanager_cluster_messages_received_total{msg_type="update"}'));
  if (line === undefined) throw new Error(`${pod} exports no alertmanager_cluster_messages_received_total{msg_type="update"}`);
  return Number(line.split(' ')[1]);
}

/** A generated Alertmanager flag's value (`--name=value`), or the fallback when it is not generated. */
function alertmanagerFlag(name: string, fallback: string): string {
  const sts = stack.objects.find((o: ManifestObject) => o.kind === 'StatefulSet' && o.metadata.name === ComponentName.ALERTMANAGER)!;
  const arg = (containerOf(sts, 'alertmanager').args ?? []).find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}
const ms = (duration: string): number => {
  const value = parseDuration(duration);
  if (value === undefined) {
    throw new Error(`not a duration: ${duration}`);
  }
  return value;
};

beforeAll(async () => {
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        notifications.push({ at: Date.now(), payload: JSON.parse(body) as WebhookPayload });
      } catch {
        // not a webhook payload
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
  stack = await startLiveStack({
    config: loadConfig({ STACK_CONFIG: HA_STACK_CONFIG }),
    secrets: { [RECEIVER_SECRET.name]: { [RECEIVER_SECRET.key]: hook } },
    skip: [ComponentName.OTEL_COLLECTOR],
    readyTimeoutMs: 180_000,
  });
  // Both replicas scrape every target and have seen FL rounds before anything is stopped.
  const scraped = stack.cluster.pods.filter((p) => p.annotations['prometheus.io/scrape'] === 'true').length;
  for (const pod of podsOf(ComponentName.PROMETHEUS)) {
    await waitFor(`${pod}: every target up and a completed FL round`, deadline(240_000), async () => {
      const t = Date.now() / 1000;
      const up = await instant(prometheusUrl(pod), 'up', t);
      const rounds = await instant(prometheusUrl(pod), 'min(fl_client_rounds_total) >= 1 and on() max(fl_rounds_completed_total) >= 1', t);
      if (up.length < scraped || up.some((s) => s.value[1] !== '1') || rounds.length === 0) {
        throw new Error(`${up.filter((s) => s.value[1] === '1').length} of ${scraped} targets up, rounds seen: ${rounds.length > 0}`);
      }
      return true;
    }, 2000);
  }
}, 600_000);

afterAll(async () => {
  await stack?.stop();
  webhook?.closeAllConnections();
  await new Promise((r) => webhook?.close(r));
  process.stderr.write(`HA stack: the whole run took ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

test('the production replicas run: 2 Prometheus, 3 Alertmanager peers, all on loopback', () => {
  expect(podsOf(ComponentName.PROMETHEUS)).toEqual(['prometheus-0', 'prometheus-1']);
  expect(podsOf(ComponentName.ALERTMANAGER)).toEqual(['alertmanager-0', 'alertmanager-1', 'alertmanager-2']);
  expect(stack.config.prometheus.replicas).toBe(2);
  expect(stack.config.alertmanager.replicas).toBe(3);
  // Gossip (memberlist over TCP) included.
  expect(stack.exposedSockets()).toEqual([]);
});

test('both Prometheus replicas write to one VictoriaMetrics, which holds one series per target and the sums of one replica', async () => {
  const vm = stack.urls.victoriaMetrics!;
  const replicas = podsOf(ComponentName.PROMETHEUS);
  // Each replica writes (its own sent-samples counter grows), each with its own replica label.
  for (const pod of replicas) {
    await waitFor(`${pod} remote-writes`, deadline(60_000), async () => {
      const sent = await instant(prometheusUrl(pod), 'sum(prometheus_remote_storage_samples_total)', Date.now() / 1000);
      return sent.length > 0 && Number(sent[0].value[1]) > 0 ? true : undefined;
    });
    const { yaml } = await promApi<{ yaml: string }>(prometheusUrl(pod), '/api/v1/status/config');
    expect(yaml).toContain(`${REPLICA_LABEL}: ${pod}`);
  }
  // The targets one replica scrapes, by identity; VictoriaMetrics must hold each exactly once.
  const identity = (x: Series): string => `${x.metric.job}/${x.metric.namespace}/${x.metric.pod}/${x.metric.instance}`;
  const result = await waitFor('VictoriaMetrics holds every target of a replica', deadline(90_000), async () => {
    const t = Math.floor(Date.now() / 1000) - 10;
    const [one, stored] = await Promise.all([instant(prometheusUrl(replicas[0]), 'up', t), instant(vm, 'up', t)]);
    const perTarget = await instant(vm, 'count by (job, namespace, pod, instance) (up)', t);
    const sums = await Promise.all([instant(prometheusUrl(replicas[0]), 'sum(up)', t), instant(vm, 'sum(up)', t)]);
    const wanted = new Set(one.map(identity));
    const held = new Set(stored.map(identity));
    return [...wanted].every((w) => held.has(w)) ? { one, stored, perTarget, sums } : undefined;
  }, 2000);
  // No replica label reached the store, and no target is doubled.
  expect(result.stored.filter((x) => REPLICA_LABEL in x.metric)).toEqual([]);
  expect(result.perTarget.filter((x) => x.value[1] !== '1').map(identity)).toEqual([]);
  expect(result.stored.length).toBe(result.one.length);
  expect(result.sums[1][0].value[1]).toBe(result.sums[0][0].value[1]);
  process.stderr.write(
    `HA dedup: ${replicas.length} replicas, ${result.one.length} targets each; VictoriaMetrics holds ${result.stored.length} up series, ` +
      `sum(up) ${result.sums[1][0].value[1]} (one replica: ${result.sums[0][0].value[1]})\n`,
  );
}, 200_000);

// Its alerts take minutes (`for: 1m`, twice).
test('three clustered Alertmanagers alerted by both Prometheus replicas deliver each alert group once, and still once with the first notifier killed', async () => {
  const amPods = podsOf(ComponentName.ALERTMANAGER);
  const groupInterval = ms(stack.config.alertmanager.groupInterval);
  const peerTimeout = ms(alertmanagerFlag('cluster.peer-timeout', DEFAULT_PEER_TIMEOUT));

  // Each Prometheus replica sends its alerts to every peer.
  for (const pod of podsOf(ComponentName.PROMETHEUS)) {
    const active = await waitFor(`${pod} sends to 3 Alertmanagers`, deadline(60_000), async () => {
      const d = await promApi<{ activeAlertmanagers: { url: string }[] }>(prometheusUrl(pod), '/api/v1/alertmanagers');
      return d.activeAlertmanagers.length === amPods.length ? d.activeAlertmanagers : undefined;
    });
    expect(active.map((a) => new URL(a.url).origin).sort()).toEqual(amPods.map(alertmanagerUrl).sort());
  }
  // The peers form one cluster; a peer's turn to notify is its position among the sorted member names
  // (each waits position × peer timeout, then skips what the notification log says was sent).
  const statuses = await waitFor('the Alertmanager cluster formed', deadline(60_000), async () => {
    const s = await Promise.all(amPods.map((pod) => apiGet<ClusterStatus>(`${alertmanagerUrl(pod)}/api/v2/status`)));
    return s.every((x) => x.cluster.status === 'ready' && x.cluster.peers.length === amPods.length) ? s : undefined;
  });
  const byPosition = amPods.map((pod, i) => ({ pod, name: statuses[i].cluster.name })).sort((a, b) => (a.name < b.name ? -1 : 1));

  const serviceDown = (pod: string) => (n: Notification) => n.payload.alerts.some((a) => a.labels.alertname === SERVICE_DOWN && a.labels.pod === pod);
  expect(notifications.filter((n) => n.payload.alerts.some((a) => a.labels.alertname === SERVICE_DOWN))).toEqual([]);

  // Group A, all three peers up: an FL client stops and the generated ServiceDown (up == 0 for 1m) fires.
  const client = 'fl-client-1';
  const updatesBefore = await Promise.all(amPods.map(gossipUpdates));
  await stack.process(client).process.stop();
  const stoppedAt = Date.now();
  const a = await waitFor(`${SERVICE_DOWN} for ${client} at the webhook`, deadline(180_000), async () => notifications.find(serviceDown(client)), 250);
  // The sender's notification log entry must reach the other peers before it dies: dedup across
  // peers rests on that gossip (a peer killed in the same instant leaves the others free to send
  // again: at-least-once). So every peer but the first in turn (the sender, killed below) has received
  // a gossip update since the client stopped, plus a margin of 10 memberlist gossip intervals (200 ms).
  const sender = byPosition[0].pod;
  await waitFor('the notification log gossiped to every other peer', deadline(30_000), async () => {
    const now = await Promise.all(amPods.map(gossipUpdates));
    return amPods.every((pod, i) => pod === sender || now[i] > updatesBefore[i]) ? true : undefined;
  }, 200);
  await sleep(2000);
  // Every peer holds the alert, so each could have sent it: one did, the others skipped it.
  for (const pod of amPods) {
    const alerts = await apiGet<{ labels: Record<string, string> }[]>(`${alertmanagerUrl(pod)}/api/v2/alerts`);
    expect({ pod, holds: alerts.some((x) => x.labels.alertname === SERVICE_DOWN && x.labels.pod === client) }).toEqual({ pod, holds: true });
  }
  expect(stack.exposedSockets()).toEqual([]);

  // Kill (SIGKILL) the peer whose turn is first: the survivors must deliver, and only once.
  const victim = byPosition[0].pod;
  const victimProcess = stack.process(victim).process;
  victimProcess.killNow();
  expect(await victimProcess.exited).toMatchObject({ signal: 'SIGKILL' });
  const killedAt = Date.now();
  // Group B: a new group (the killed peer's own ServiceDown, namespace monitoring), by two peers.
  const b = await waitFor(`${SERVICE_DOWN} for ${victim} at the webhook`, deadline(180_000), async () => notifications.find(serviceDown(victim)), 250);
  // Past two group intervals and every survivor's turn (position × peer timeout) after B.
  const windowMs = (amPods.length - 1) * peerTimeout + 2 * groupInterval + 5000;
  await sleep(b.at + windowMs - Date.now());
  const endedAt = Date.now();

  const ofGroup = (key: string): Notification[] => notifications.filter((n) => n.payload.groupKey === key);
  const groupA = ofGroup(a.payload.groupKey);
  const groupB = ofGroup(b.payload.groupKey);
  // Any notification sent twice (same group, status and alerts, each alert with its start: an alert
  // that resolves and fires again starts anew), across every group of the run.
  const copies = new Map<string, number>();
  for (const n of notifications) {
    const alerts = n.payload.alerts.map((x) => JSON.stringify([x.status, x.startsAt, Object.entries(x.labels).sort()])).sort();
    const key = JSON.stringify([n.payload.groupKey, n.payload.status, alerts]);
    copies.set(key, (copies.get(key) ?? 0) + 1);
  }
  const groups = new Map<string, number>();
  notifications.forEach((n) => groups.set(n.payload.groupKey, (groups.get(n.payload.groupKey) ?? 0) + 1));
  process.stderr.write(
    `alertmanager HA: group A ${a.payload.groupKey} (${SERVICE_DOWN} ${client}, 3 peers up): ${groupA.length} notification(s), ` +
      `delivered ${((a.at - stoppedAt) / 1000).toFixed(0)} s after the client stopped, counted for ${((endedAt - a.at) / 1000).toFixed(0)} s; ` +
      `killed ${victim} (gossip position 0 of ${amPods.length}) with SIGKILL; group B ${b.payload.groupKey} (${SERVICE_DOWN} ${victim}, 2 peers): ` +
      `${groupB.length} notification(s), delivered ${((b.at - killedAt) / 1000).toFixed(0)} s after the kill, counted for ${((endedAt - b.at) / 1000).toFixed(0)} s ` +
      `(group interval ${groupInterval / 1000} s, peer timeout ${peerTimeout / 1000} s); all ${notifications.length} notifications by group: ` +
      `${[...groups].map(([k, v]) => `${k}=${v}`).join(', ')}; duplicates: ${[...copies.values()].filter((v) => v > 1).length}; ` +
      `group A at ${groupA.map((n) => `${((n.at - stoppedAt) / 1000).toFixed(1)} s`).join(', ')} after the stop, the kill at ${((killedAt - stoppedAt) / 1000).toFixed(1)} s\n`,
  );
  expect(endedAt - a.at).toBeGreaterThanOrEqual(2 * groupInterval + (amPods.length - 1) * peerTimeout);
  expect(groupA.map((n) => n.payload.status)).toEqual(['firing']);
  expect(groupB.map((n) => n.payload.status)).toEqual(['firing']);
  expect([...copies].filter(([, v]) => v > 1)).toEqual([]);
  // Both replicas' alerts are one alert in Alertmanager: the replica label was dropped before sending.
  for (const [n, pod, namespace] of [
    [a, client, stack.config.namespaces.training],
    [b, victim, stack.config.namespaces.monitoring],
  ] as const) {
    expect(n.payload.alerts.map((x) => x.labels)).toEqual([expect.objectContaining({ alertname: SERVICE_DOWN, pod, namespace, severity: 'critical', cluster: stack.config.clusterName })]);
    expect(n.payload.alerts[0].labels[REPLICA_LABEL]).toBeUndefined();
    expect(n.payload.receiver).toBe(stack.config.alertmanager.routes.critical);
  }
});
