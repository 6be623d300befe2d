/**
 * The live local stack (issue 6): the generated configs, flags and rules run in the real
 * Prometheus, Alertmanager, VictoriaMetrics and OpenTelemetry Collector, on 127.0.0.1, with the
 * reference FL workload (server + 2 clients) as their subject. Only discovery, Service addresses,
 * container paths and listen ports are localized (test/local/). Loki is not run (AGPL,
 * issue 14): VictoriaLogs (Apache-2.0) receives what the collector sends to Loki's OTLP endpoint, and
 * LogQL panels are listed as not runnable here. Run alone: `npm run test:live`.
 */
import { createServer, type Server } from 'node:http';
import { allWorkloads, COMPONENTS } from '../../src/component-list';
import { LocalRunKind } from '../../src/components/component-spec';
import type { AddressInfo } from 'node:net';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { ComponentName, ScrapeAnnotations } from '../../src/common/names';
import { collectMonitoring, fullCatalog } from '../../src/monitoring/collect';
import { MetricType } from '../../src/monitoring/catalog';
import { parseDuration } from '../../src/config/values';
import { startLiveStack, waitFor, type LiveStack } from './harness';
import { criPartialLines } from './processes';
import { logsql, quote } from './victoria-logs';

const startedAt = Date.now();
/** Everything the suite waits for shares this budget (the test timeout is a backstop). */
const SUITE_BUDGET_MS = 9 * 60_000;
const deadline = (ms: number): number => Math.min(Date.now() + ms, startedAt + SUITE_BUDGET_MS);

/** The receiver URL key of the live config's webhook receiver (test/live/live-stack.yaml). */
const RECEIVER_SECRET = { name: 'alertmanager-receivers', key: 'oncall-webhook-url' };

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface WebhookPayload {
  receiver: string;
  status: string;
  alerts: WebhookAlert[];
}

let stack: LiveStack;
/** When Prometheus first showed a completed FL round (ms since the epoch). */
let flRoundSeenAt = 0;
let webhook: Server;
const received: WebhookPayload[] = [];

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

async function promApi<T>(base: string, path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let body: { status?: string; data?: T; error?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: reported below
  }
  if (body.status !== 'success') {
    throw new Error(`${base}${path} ${JSON.stringify(params)}: ${res.status} ${body.error ?? text.slice(0, 300)}`);
  }
  return body.data as T;
}

const prom = <T>(path: string, params: Record<string, string> = {}): Promise<T> => promApi<T>(stack.urls.prometheus!, path, params);
const instant = async (query: string): Promise<Series[]> => (await prom<{ result: Series[] }>('/api/v1/query', { query })).result;
const stripLabels = (m: Record<string, string>, drop: readonly string[]): string =>
  JSON.stringify(Object.fromEntries(Object.entries(m).filter(([k]) => !drop.includes(k)).sort(([a], [b]) => a.localeCompare(b))));

beforeAll(async () => {
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        received.push(JSON.parse(body) as WebhookPayload);
      } catch {
        // not a webhook payload
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
  stack = await startLiveStack({
    secrets: { [RECEIVER_SECRET.name]: { [RECEIVER_SECRET.key]: hook } },
    readyTimeoutMs: 180_000,
  });
  // Round panels and rates need a completed round, as Prometheus sees it.
  await waitFor('a completed FL round in Prometheus', deadline(240_000), async () => {
    const r = await instant('max(fl_rounds_completed_total{job="fl-server"}) >= 1');
    return r.length > 0 ? true : undefined;
  }, 2000);
  flRoundSeenAt = Date.now();
}, 600_000);

afterAll(async () => {
  await stack?.stop();
  webhook?.closeAllConnections();
  await new Promise((r) => webhook?.close(r));
  process.stderr.write(`live stack: the whole run took ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

test('the stack keeps to loopback: no process listens on or connects to another address', () => {
  expect(stack.exposedSockets()).toEqual([]);
});

test('every scrape target is up, labelled as the generated relabelling labels it in-cluster', async () => {
  const scraped = stack.cluster.pods.filter((p) => p.annotations[ScrapeAnnotations.scrape] === 'true');
  // prometheus, alertmanager, victoria-metrics, otel-collector, the FL server and 2 clients.
  expect(scraped.length).toBeGreaterThanOrEqual(7);
  type Target = { labels: Record<string, string>; health: string; lastError: string; scrapePool: string };
  const targets = await waitFor('every target up', deadline(60_000), async () => {
    const t = (await prom<{ activeTargets: Target[] }>('/api/v1/targets', { state: 'active' })).activeTargets;
    const down = t.filter((x) => x.health !== 'up').map((x) => `${x.labels.pod} ${x.health} ${x.lastError}`);
    if (t.length < scraped.length || down.length > 0) {
      throw new Error(`${t.length} of ${scraped.length} targets, not up: ${down.join('; ') || 'none'}`);
    }
    return t;
  });
  // One target per scraped pod (duplicates per container port are merged, as in-cluster).
  expect(targets.map((t) => t.labels.pod).sort()).toEqual(scraped.map((p) => p.name).sort());
  for (const pod of scraped) {
    const t = targets.find((x) => x.labels.pod === pod.name)!;
    expect({ pool: t.scrapePool, job: t.labels.job, namespace: t.labels.namespace, node: t.labels.node }).toEqual({
      pool: 'kubernetes-pods',
      job: pod.labels['app.kubernetes.io/name'],
      namespace: pod.namespace,
      node: pod.nodeName,
    });
    // Only FL clients carry their partition; other StatefulSets' pods have a pod index but no client_index.
    expect(t.labels.client_index).toBe(pod.labels['app.kubernetes.io/name'] === ComponentName.FL_CLIENT ? pod.labels['apps.kubernetes.io/pod-index'] : undefined);
  }
  expect(targets.filter((t) => t.labels.job === ComponentName.FL_CLIENT).map((t) => t.labels.client_index).sort()).toEqual(['0', '1']);
});

test('the fl_* series carry exactly the catalogued labels (plus the target labels)', async () => {
  const catalog = fullCatalog(COMPONENTS).metrics.filter((m) => m.exporter === ComponentName.FL_SERVER || m.exporter === ComponentName.FL_CLIENT);
  const series = await prom<Record<string, string>[]>('/api/v1/series', { 'match[]': '{__name__=~"fl_.*"}', start: String(startedAt / 1000) });
  const target = ['__name__', 'job', 'namespace', 'pod', 'node', 'instance'];
  const problems: string[] = [];
  for (const m of catalog) {
    const names = m.type === MetricType.HISTOGRAM ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
    for (const name of names) {
      const found = series.filter((s) => s.__name__ === name);
      if (found.length === 0) {
        problems.push(`${name}: no series`);
      }
      for (const s of found) {
        const expected = [...m.labels, ...(name.endsWith('_bucket') ? ['le'] : []), ...(m.exporter === ComponentName.FL_CLIENT ? ['client_index'] : [])].sort();
        const own = Object.keys(s).filter((k) => !target.includes(k)).sort();
        if (JSON.stringify(own) !== JSON.stringify(expected) || s.job !== m.exporter || s.namespace !== stack.config.namespaces.training) {
          problems.push(`${name}: ${JSON.stringify(s)} (expected labels ${expected.join(',') || 'none'}, job ${m.exporter})`);
        }
      }
    }
  }
  // Nothing outside the catalog either.
  const known = new Set(catalog.flatMap((m) => (m.type === MetricType.HISTOGRAM ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name])));
  problems.push(...[...new Set(series.map((s) => s.__name__))].filter((n) => !known.has(n)).map((n) => `${n}: not in the catalog`));
  expect(problems).toEqual([]);
  // Both clients report, each under its own pod.
  expect((await instant('count by (pod) (fl_client_rounds_total{job="fl-client"})')).map((s) => s.metric.pod).sort()).toEqual(['fl-client-0', 'fl-client-1']);
});

/**
 * Components that do not run locally and the jobs their series carry. A panel is excused from
 * returning data only when each of its queries selects one of these jobs (and then it must return
 * nothing: a listed panel that shows data is an error).
 */
const ABSENT_JOBS: Readonly<Record<string, string>> = {
  // The workloads their component spec declares not runnable here, with its reason.
  ...Object.fromEntries(allWorkloads().flatMap(({ workload: w }) => (w.local?.kind === LocalRunKind.UNAVAILABLE ? [[w.name, w.local.reason]] : []))),
  cadvisor: 'cAdvisor is part of the kubelet; no kubelet runs locally',
  kubelet: 'no kubelet runs locally',
};

/**
 * Datasources whose queries cannot run here, with the reason. Their panels are evaluated nowhere in
 * this test: each query is parsed at build time (LogQL by @grafana/lezer-logql), and the logs test
 * below checks that their stream selectors, run as LogsQL stream filters against VictoriaLogs, select
 * the FL lines. That shows the streams exist under those labels; it does not show that Loki would
 * answer the LogQL (parsers, line filters, range aggregations are Loki's own).
 */
const NOT_RUNNABLE_DATASOURCES: Readonly<Record<string, string>> = {
  loki: 'LogQL needs Loki, which is AGPL and not run here (VictoriaLogs answers LogsQL, not LogQL)',
};

/**
 * Panels whose query is empty on a healthy stack by design: they show error events that did not
 * happen (a counter has no series until its first event, no line is an error). Each must still
 * evaluate without error; the FL error panels are checked for data after the clients stop.
 */
const QUIET_WHEN_HEALTHY: Readonly<Record<string, string>> = {
  'fl-stack-health/Collector records failed or refused':
    'the collector fails to send or has refused no record while its sink accepts everything (the counter has no series before its first failure)',
};

interface Target {
  expr: string;
  datasource: { type: string };
}
/** A Loki query of a dashboard panel, not run here (see NOT_RUNNABLE_DATASOURCES). */
interface NotRun {
  panel: string;
  expr: string;
  reason: string;
}
interface Panel {
  title: string;
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: string;
  allValue?: string;
  current?: { value?: string | string[] };
}

function jobsOf(expr: string): string[] {
  return [...expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1]);
}

interface QueryResult {
  panel: string;
  expr: string;
  series: number;
  error?: string;
}

/**
 * Every panel query of the generated dashboards, evaluated as Grafana would: variables from their
 * defaults ("All" → allValue), each variable's own label_values query run too, $__interval from
 * the range and the datasources' timeInterval (the scrape interval).
 */
async function evaluateDashboards(only?: (panel: string) => boolean, notRun: NotRun[] = []): Promise<QueryResult[]> {
  const { dashboardDefs } = collectMonitoring(stack.config, COMPONENTS);
  const scrape = parseDuration(stack.config.scrapeInterval)! / 1000;
  const end = Date.now() / 1000;
  const start = Math.max(startedAt / 1000, end - 15 * 60);
  const interval = Math.max(scrape, Math.ceil((end - start) / 1000));
  const rateInterval = Math.max(interval + scrape, 4 * scrape);
  const results: QueryResult[] = [];
  for (const def of dashboardDefs) {
    const vars = new Map<string, string>([
      ['__interval', `${interval}s`],
      ['__rate_interval', `${rateInterval}s`],
    ]);
    const substitute = (text: string): string => text.replace(/\$(\w+)/g, (m, name: string) => vars.get(name) ?? m);
    for (const v of ((def.json.templating as { list: Variable[] }).list ?? []).filter((x) => x.type !== 'datasource')) {
      const current = Array.isArray(v.current?.value) ? v.current?.value[0] : v.current?.value;
      if (v.type === 'query' && v.query !== undefined) {
        const m = /^label_values\((.*),\s*(\w+)\)$/.exec(v.query);
        if (m === null) {
          throw new Error(`${def.uid} variable ${v.name}: query ${v.query} is not label_values(selector, label)`);
        }
        const values = await promApi<string[]>(stack.urls.prometheus!, `/api/v1/label/${m[2]}/values`, { 'match[]': substitute(m[1]), start: String(start) });
        if (current !== '$__all' && current !== undefined && !values.includes(current)) {
          results.push({ panel: `${def.uid}/$${v.name}`, expr: v.query, series: 0, error: `default ${current} is not among the values ${values.join(', ')}` });
        }
      }
      vars.set(v.name, current === '$__all' ? (v.allValue ?? '.*') : (current ?? ''));
    }
    for (const panel of (def.json.panels as Panel[]).filter((p) => (p.targets ?? []).length > 0 && (only?.(`${def.uid}/${p.title}`) ?? true))) {
      for (const target of panel.targets!) {
        const expr = substitute(target.expr);
        const id = `${def.uid}/${panel.title}`;
        const cannot = NOT_RUNNABLE_DATASOURCES[target.datasource.type];
        if (cannot !== undefined) {
          notRun.push({ panel: id, expr, reason: cannot });
          continue;
        }
        try {
          const series = (await prom<{ result: Series[] }>('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(interval) })).result;
          results.push({ panel: id, expr, series: series.length });
        } catch (err) {
          results.push({ panel: id, expr, series: 0, error: (err as Error).message });
        }
      }
    }
  }
  return results;
}

/** The FL workloads' app names (the pods' app.kubernetes.io/name). */
const FL_APPS: readonly string[] = [ComponentName.FL_SERVER, ComponentName.FL_CLIENT];
const sink = () => stack.logSink!;

const excused = (r: QueryResult): boolean => jobsOf(r.expr).some((j) => ABSENT_JOBS[j] !== undefined);

test('every PromQL panel query evaluates against this Prometheus and returns data; the LogQL ones are listed as not runnable', async () => {
  const notRun: NotRun[] = [];
  const results = await evaluateDashboards(undefined, notRun);
  // Only the datasources on the list are skipped, and the list is not stale: each skips something.
  expect(results.length).toBeGreaterThan(0);
  expect([...new Set(notRun.map((n) => n.reason))].sort()).toEqual(Object.values(NOT_RUNNABLE_DATASOURCES).sort());
  expect(results.filter((r) => r.error !== undefined)).toEqual([]);
  const empty = results.filter((r) => r.series === 0 && !excused(r) && QUIET_WHEN_HEALTHY[r.panel] === undefined);
  expect(empty).toEqual([]);
  // The list cannot hide anything: its components do not run here, and their queries return nothing.
  expect(stack.processes.filter((p) => ABSENT_JOBS[p.component] !== undefined)).toEqual([]);
  expect(results.filter((r) => excused(r) && r.series > 0)).toEqual([]);
  const byPanel = new Map<string, number>();
  results.forEach((r) => byPanel.set(r.panel, (byPanel.get(r.panel) ?? 0) + r.series));
  const dataPanels = [...byPanel.values()].filter((n) => n > 0).length;
  process.stderr.write(
    `dashboards: ${results.length} queries in ${byPanel.size} panels evaluated without error; ${dataPanels} panels returned data; ` +
      `${results.filter(excused).length} queries need an absent component (${[...new Set(results.filter(excused).flatMap((r) => jobsOf(r.expr)))].join(', ')}); ` +
      `quiet when healthy: ${results.filter((r) => QUIET_WHEN_HEALTHY[r.panel] !== undefined).map((r) => `${r.panel} (${r.series} series)`).join(', ') || 'none'}; ` +
      `not run here: ${notRun.length} queries of ${new Set(notRun.map((n) => n.panel)).size} panels (${[...new Set(notRun.map((n) => n.reason))].join('; ')})\n`,
  );
  expect(dataPanels).toBeGreaterThanOrEqual(30);
});

/** `{k="v", …}` (a `_stream` value or a LogQL stream selector) as a map; only `=` matchers. */
function streamLabels(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/([\w.]+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], JSON.parse(`"${m[2]}"`) as string]));
}

/** The stream selector `{…}` of a LogQL query. */
function streamSelector(expr: string): string {
  const m = /\{[^{}]*\}/.exec(expr);
  if (m === null) {
    throw new Error(`no stream selector in ${expr}`);
  }
  return m[0];
}

/** LogsQL: the entries of one pod's container in a namespace (a stream filter on the agent's stream fields). */
const podStream = (namespace: string, pod: string, container: string): string => `{namespace=${quote(namespace)}, pod=${quote(pod)}, container=${quote(container)}}`;

test('CRI log files, partial lines included, reach VictoriaLogs through the generated collector with namespace/pod/container and the FL JSON fields', async () => {
  const vl = sink();
  const ns = stack.config.namespaces.training;
  const client = stack.process('fl-client-1');
  // A line the workload printed, exactly as the kubelet wrote it into the CRI log file.
  const criLines = readFileSync(client.process.criLog, 'utf8').split('\n').filter((l) => l.includes('"service":"fl-client"'));
  expect(criLines.length).toBeGreaterThan(0);
  expect(criLines[0]).toMatch(/^\S+Z stdout F \{/);
  const line = criLines[0].replace(/^\S+ stdout F /, '');
  const [entry] = await waitFor('the client line in VictoriaLogs', deadline(90_000), async () => {
    const r = await logsql(vl, `${podStream(ns, 'fl-client-1', 'fl-client')} _msg:=${quote(line)}`);
    if (r.length === 0) {
      throw new Error(`not yet: ${(await logsql(vl, `${podStream(ns, 'fl-client-1', 'fl-client')} | stats count() as lines`)).map((x) => x.lines).join('')} lines of the pod so far`);
    }
    return r;
  }, 2000);
  // The stream is the resource attributes, nothing else: the generated stream attributes (from the
  // file path, the node's name and the config) and what the container operator reads from the path.
  expect(streamLabels(entry._stream)).toEqual({
    namespace: ns,
    pod: 'fl-client-1',
    container: 'fl-client',
    node: 'local-node',
    cluster: stack.config.clusterName,
    agent: ComponentName.OTEL_COLLECTOR,
    'k8s.pod.uid': client.pod.uid,
    'k8s.container.restart_count': '0',
  });
  // The generated json_parser made the line's fields log fields (the string ones compared as they are).
  const fields = JSON.parse(line) as Record<string, unknown>;
  const strings = Object.entries(fields).filter(([, v]) => typeof v === 'string');
  expect(strings.length).toBeGreaterThanOrEqual(3);
  expect(Object.fromEntries(strings.map(([k]) => [k, entry[k]]))).toEqual(Object.fromEntries(strings));

  // A long line the runtime split into partial (P) entries: one log entry, whole, fields parsed.
  const pod = client.pod;
  const file = join(stack.podLogDir, `${pod.namespace}_${pod.name}_${pod.uid}`, 'fl-client', '1.log');
  const marker = `partial${Date.now()}`;
  const long = JSON.stringify({ timestamp: new Date().toISOString(), level: 'info', service: 'fl-client', event: 'live_test_partial_line', marker, filler: 'x'.repeat(5000) });
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, criPartialLines('stdout', long, 1024));
  const flags = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split(' ')[2]);
  expect(flags).toEqual([...Array(Math.ceil(long.length / 1024) - 1).fill('P'), 'F']);
  const fromFile = `"log.file.path":=${quote(file)}`;
  await waitFor('the partial line in VictoriaLogs', deadline(60_000), async () => ((await logsql(vl, `${podStream(ns, pod.name, 'fl-client')} ${fromFile}`)).length > 0 ? true : undefined), 1000);
  // Past the batch timeout (5 s): had the fragments been shipped separately, they would be in by now.
  await new Promise((r) => setTimeout(r, 7000));
  const fromThatFile = await logsql(vl, `${podStream(ns, pod.name, 'fl-client')} ${fromFile}`);
  expect(fromThatFile.map((e) => e._msg)).toEqual([long]);
  expect(fromThatFile[0]).toMatchObject({ marker, event: 'live_test_partial_line', level: 'info' });

  // The stack's own pods ship too, each under its own stream.
  const monitoring = await logsql(vl, `{namespace=${quote(stack.config.namespaces.monitoring)}, container="prometheus"} | limit 20`);
  expect(new Set(monitoring.map((e) => streamLabels(e._stream).pod))).toEqual(new Set(['prometheus-0']));
});

/**
 * The logs dashboard's LogQL cannot run here (no Loki). What can be checked against the stored
 * streams: each query's stream selector, run as a LogsQL stream filter (same matcher syntax), selects
 * FL lines, and only lines of the pods it names. This shows the labels the panels select on exist on
 * the shipped streams; the parsers, filters and aggregations after the selector are not exercised.
 */
test('the LogQL panels\' stream selectors, as LogsQL stream filters, select the FL lines in VictoriaLogs', async () => {
  const vl = sink();
  const notRun: NotRun[] = [];
  await evaluateDashboards((panel) => panel.startsWith('fl-logs/'), notRun);
  const selectors = [...new Set(notRun.map((n) => streamSelector(n.expr)))];
  expect(selectors.length).toBeGreaterThan(0);
  const flPods = stack.cluster.pods.filter((p) => FL_APPS.includes(p.labels['app.kubernetes.io/name'] ?? '')).map((p) => p.name);
  const empty: string[] = [];
  for (const selector of selectors) {
    const entries = await logsql(vl, `${selector} | limit 200`);
    if (entries.length === 0) {
      empty.push(`${selector} (stream fields present: ${Object.keys(streamLabels((await logsql(vl, '* | limit 1'))[0]?._stream ?? '')).join(', ')})`);
    }
    expect(entries.map((e) => streamLabels(e._stream).pod).filter((p) => !flPods.includes(p))).toEqual([]);
  }
  expect(empty).toEqual([]);
  process.stderr.write(`logs dashboard: ${notRun.length} LogQL queries not run here; their ${selectors.length} stream selectors select FL lines in VictoriaLogs\n`);
});

test('stopping the clients fires a generated FL alert that reaches the webhook through the generated routing', async () => {
  const rules = parse(stack.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-rules')!.data!['fl.rules.yaml']) as {
    groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[];
  };
  const flAlerts = new Map(rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined).map((r) => [r.alert!, r.labels ?? {}]));
  // Prometheus runs exactly the generated rule groups.
  const loaded = await prom<{ groups: { name: string; file: string }[] }>('/api/v1/rules');
  const generated = Object.entries(stack.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-rules')!.data!).flatMap(([, text]) =>
    (parse(text) as { groups: { name: string }[] }).groups.map((g) => g.name),
  );
  expect(loaded.groups.map((g) => g.name).sort()).toEqual(generated.sort());
  expect(received.filter((p) => p.alerts.some((a) => flAlerts.has(a.labels.alertname)))).toEqual([]);

  // Stop the clients right after a round completed, when they are idle: stopped in the middle of
  // uploading a reply, Flower's SuperLink keeps the server waiting for the reply's objects until
  // the upload session expires (minutes) before the round can fail.
  const server = stack.processes.find((p) => p.component === ComponentName.FL_SERVER)!.process;
  const mark = server.output().length;
  await waitFor('a completed round', deadline(120_000), async () => (server.output().slice(mark).some((l) => l.includes('"event":"round_completed"')) ? true : undefined), 100);
  await Promise.all(stack.processes.filter((p) => p.component === ComponentName.FL_CLIENT).map((c) => c.process.stop()));
  const stoppedAt = Date.now();
  const payload = await waitFor('an FL alert at the webhook', deadline(300_000), async () =>
    received.find((p) => p.status === 'firing' && p.alerts.some((a) => a.status === 'firing' && flAlerts.has(a.labels.alertname))),
  2000);
  const alert = payload.alerts.find((a) => flAlerts.has(a.labels.alertname))!;
  process.stderr.write(`alert ${alert.labels.alertname} reached the webhook ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s after the clients stopped\n`);
  // Routed by severity to the receiver the config names; labelled as the rule and the cluster say.
  expect(payload.receiver).toBe(stack.config.alertmanager.routes[alert.labels.severity as 'critical' | 'warning' | 'info']);
  expect(alert.labels).toMatchObject({ ...flAlerts.get(alert.labels.alertname), namespace: stack.config.namespaces.training, job: ComponentName.FL_SERVER, cluster: stack.config.clusterName });
  // `<runbookBaseUrl>/<AlertName>.md`, as the config documents it.
  expect(alert.annotations.runbook_url).toBe(`${stack.config.runbookBaseUrl}/${alert.labels.alertname}.md`);
  expect(alert.annotations.summary).toBeTruthy();
  expect(stack.exposedSockets()).toEqual([]);
  // The failures are logged: FL error lines arrive in VictoriaLogs after the stop, with the level
  // filter of the logs dashboard's error panels (Loki's `level=~` is anchored, hence ^…$). The panels'
  // stream selectors are checked on their own (test above); this is not a LogQL panel run.
  const errorsQuery = `{namespace=${quote(stack.config.namespaces.training)}} level:~"(?i)^(error|critical)$"`;
  const errors = await waitFor('FL error lines in VictoriaLogs', deadline(60_000), async () => {
    const r = await logsql(sink(), errorsQuery, { start: stoppedAt - 1000 });
    return r.length > 0 ? r : undefined;
  }, 2000);
  expect(errors.every((e) => /^(error|critical)$/i.test(e.level))).toBe(true);
  // The server's round failures, under its own stream.
  const serverPod = stack.cluster.pods.find((p) => p.labels['app.kubernetes.io/name'] === ComponentName.FL_SERVER)!.name;
  expect(errors.map((e) => streamLabels(e._stream).pod)).toContain(serverPod);
  process.stderr.write(`${errors.length} FL error lines in VictoriaLogs after the clients stopped (${errorsQuery})\n`);
});

// Last: by now VictoriaMetrics has long settled on the samples it is compared at.
test('the same fl_* series arrive in VictoriaMetrics through the generated remote_write', async () => {
  const cluster = stack.config.clusterName;
  const inPrometheus = (await prom<Record<string, string>[]>('/api/v1/series', { 'match[]': '{__name__=~"fl_.*"}', start: String(startedAt / 1000) })).map((s) =>
    stripLabels(s, []),
  );
  const vm = (path: string, params: Record<string, string>) => promApi<Record<string, string>[]>(stack.urls.victoriaMetrics!, path, params);
  const inVm = await waitFor('the fl_* series in VictoriaMetrics', deadline(60_000), async () => {
    const s = await vm('/api/v1/series', { 'match[]': '{__name__=~"fl_.*"}', start: String(Math.floor(startedAt / 1000)) });
    const keys = new Set(s.map((x) => stripLabels(x, ['cluster'])));
    return inPrometheus.every((k) => keys.has(k)) ? s : undefined;
  }, 2000);
  // remote_write adds the external labels: every series carries the cluster.
  expect(new Set(inVm.map((s) => s.cluster))).toEqual(new Set([cluster]));
  expect(new Set(inVm.map((s) => stripLabels(s, ['cluster'])))).toEqual(new Set(inPrometheus));
  // And the values agree, sample for sample, at a time both have settled (VictoriaMetrics hides
  // the last 30 s of data from queries by default: -search.latencyOffset).
  // The moment Prometheus first saw a completed round: the server's and both clients' series exist.
  const at = flRoundSeenAt / 1000;
  const settled = flRoundSeenAt + 35_000 - Date.now();
  if (settled > 0) {
    await new Promise((r) => setTimeout(r, settled));
  }
  const query = 'sum by (job, pod) (fl_client_rounds_total) or sum by (job, pod) (fl_rounds_completed_total)';
  const fromProm = (await prom<{ result: Series[] }>('/api/v1/query', { query, time: String(at) })).result;
  const fromVm = (await promApi<{ result: Series[] }>(stack.urls.victoriaMetrics!, '/api/v1/query', { query, time: String(at) })).result;
  const values = (r: Series[]) => Object.fromEntries(r.map((x) => [x.metric.pod, Number(x.value[1])]));
  expect(Object.keys(values(fromProm)).length).toBe(3);
  expect(values(fromVm)).toEqual(values(fromProm));
});
