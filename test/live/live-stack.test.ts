/**
 * The live local stack (issue 6): the generated configs, flags and rules run in the real
 * Prometheus, Alertmanager, VictoriaMetrics and OpenTelemetry Collector, on 127.0.0.1, with the
 * reference FL workload (server + 2 clients) as their subject. Only discovery, Service addresses,
 * container paths and listen ports are localized (test/local/). Loki is not run (AGPL,
 * issue 14): VictoriaLogs (Apache-2.0) receives what the collector sends to Loki's OTLP endpoint, and
 * LogQL panels are listed as not runnable here. The config adds to test/live/live-stack.yaml an
 * onboarded namespace (a synthetic workload there: an annotated pod and a pod behind an annotated
 * Service, served by this test) and a central remote_write store outside the cluster: a second
 * VictoriaMetrics that takes only HTTPS with basic auth, and an external scrape job: a loopback
 * exporter that answers only with the bearer token of its Secret. Run alone: `npm run test:live`.
 */
import { jobMatchers } from '../../src/monitoring/selectors';
import { createHash } from 'node:crypto';
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
import { freePorts, LIVE_STACK_CONFIG, LOCAL_NODE, startLiveStack, waitFor, type LiveStack } from './harness';
import { startCentralStore, type CentralStore } from './central-store';
import { deepMerge, resolveConfig } from '../../src/config/loader';
import type { ManifestObject } from '../../src/common/manifest';
import { localPods, localService } from '../local/pods';
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

/**
 * MLflow (off in the minikube profile): a real `mlflow server` takes the federation's run, with a
 * checkpoint every round so that one can be compared while the (long) federation runs.
 */
const TRACKING = { mlflow: { enabled: true, checkpointEveryRounds: 1 } };

/** A namespace outside the stack's three, onboarded for discovery. */
const ONBOARDED = 'training-jobs';
/** The central store's public host; the remote_write URL names it and the transform points it at loopback. */
const CENTRAL_HOST = 'metrics.central.example';
const CENTRAL_SECRET = 'central-metrics';
/** What the live config adds to test/live/live-stack.yaml: ordinary config values. */
const ONBOARDING = {
  prometheus: {
    onboardedNamespaces: [ONBOARDED],
    remoteWrite: [
      { type: 'victoriaMetrics' },
      {
        type: 'url',
        name: 'central',
        url: `https://${CENTRAL_HOST}/api/v1/write`,
        basicAuth: { username: 'site-a', password: { name: CENTRAL_SECRET, key: 'password' } },
        tls: { ca: { secret: { name: CENTRAL_SECRET, key: 'ca.crt' } }, serverName: CENTRAL_HOST },
        // Only what the central dashboards need leaves the cluster.
        writeRelabelConfigs: [{ sourceLabels: ['__name__'], regex: 'up|fl_.+|training_job_.+', action: 'keep' }],
        queue: { batchSendDeadline: '1s' },
      },
    ],
    // A target outside Kubernetes, scraped with a bearer token read from a Secret file.
    externalScrapeJobs: [{ name: 'lab-workstation', targets: ['lab-box.example:9100'], metricsPath: '/lab/metrics', labels: { room: 'lab-3' }, bearerToken: { name: 'lab-scrape', key: 'token' } }],
  },
};
/** The external target's address in the config, and the token its Secret holds. */
const LAB_TARGET = 'lab-box.example:9100';
const LAB_TOKEN = 'lab-token-7f3a9c';

/**
 * The synthetic workload of the onboarded namespace, as manifests: `trainer` opts its pod in with the
 * prometheus.io annotations (a custom path and the scheme), `evaluator` is scraped through its
 * annotated Service. Both serve the test's own metrics endpoint; the transform maps their container
 * port 8000 to it.
 */
const JOB_PORT = 8000;
const JOB_PATH = '/custom/metrics';
function onboardedWorkload(name: string, podAnnotations: Record<string, string>): ManifestObject {
  const labels = { 'app.kubernetes.io/name': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ONBOARDED, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: podAnnotations },
        spec: { containers: [{ name, image: 'example.org/trainer:1', ports: [{ name: 'metrics', containerPort: JOB_PORT }] }] },
      },
    },
  } as unknown as ManifestObject;
}
const EVALUATOR_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'evaluator',
    namespace: ONBOARDED,
    labels: { 'app.kubernetes.io/name': 'evaluator' },
    annotations: { [ScrapeAnnotations.scrape]: 'true', [ScrapeAnnotations.path]: JOB_PATH, [ScrapeAnnotations.port]: String(JOB_PORT) },
  },
  spec: { selector: { 'app.kubernetes.io/name': 'evaluator' }, ports: [{ name: 'metrics', port: 80, targetPort: JOB_PORT }] },
} as unknown as ManifestObject;

let jobServer: Server;
let jobScrapes = 0;
/** The external target: it answers only requests that carry the token. */
let labServer: Server;
const labAuth: string[] = [];
let central: CentralStore;
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
  // The onboarded workload's metrics, on the path its annotations name.
  jobServer = createServer((req, res) => {
    if (req.url !== JOB_PATH) {
      res.writeHead(404).end();
      return;
    }
    jobScrapes += 1;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# TYPE training_job_steps_total counter\ntraining_job_steps_total ${jobScrapes}\n`);
  });
  await new Promise<void>((r) => jobServer.listen(0, '127.0.0.1', r));
  const jobPort = (jobServer.address() as AddressInfo).port;
  const place = (o: ManifestObject) => localPods(o, { nodeName: LOCAL_NODE, portFor: () => jobPort });
  const scrapeAnnotations = { [ScrapeAnnotations.scrape]: 'true', [ScrapeAnnotations.port]: String(JOB_PORT), [ScrapeAnnotations.path]: JOB_PATH, [ScrapeAnnotations.scheme]: 'http' };
  labServer = createServer((req, res) => {
    labAuth.push(req.headers.authorization ?? '');
    if (req.url !== '/lab/metrics' || req.headers.authorization !== `Bearer ${LAB_TOKEN}`) {
      res.writeHead(req.url === '/lab/metrics' ? 401 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end('# TYPE lab_gpu_temperature_celsius gauge\nlab_gpu_temperature_celsius 41\n');
  });
  await new Promise<void>((r) => labServer.listen(0, '127.0.0.1', r));
  const labPort = (labServer.address() as AddressInfo).port;
  const [centralPort] = await freePorts(1);
  central = startCentralStore({ port: centralPort, hostName: CENTRAL_HOST, username: 'site-a' });
  const live = parse(readFileSync(LIVE_STACK_CONFIG, 'utf8')) as Record<string, unknown>;
  stack = await startLiveStack({
    config: resolveConfig({ overrides: deepMerge(deepMerge(live, ONBOARDING), TRACKING), source: `${LIVE_STACK_CONFIG} + onboarding + MLflow` }),
    secrets: {
      [RECEIVER_SECRET.name]: { [RECEIVER_SECRET.key]: hook },
      [CENTRAL_SECRET]: { password: central.password, 'ca.crt': central.caPem },
      'lab-scrape': { token: LAB_TOKEN },
    },
    extraPods: [...place(onboardedWorkload('trainer', scrapeAnnotations)), ...place(onboardedWorkload('evaluator', {}))],
    extraServices: [localService(EVALUATOR_SERVICE)],
    substitutions: [
      { from: `https://${CENTRAL_HOST}`, to: central.url, why: 'the central store outside the cluster is a second VictoriaMetrics on loopback' },
      { from: LAB_TARGET, to: `127.0.0.1:${labPort}`, why: 'the workstation outside Kubernetes is a loopback exporter' },
    ],
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
  await central?.stop();
  labServer?.closeAllConnections();
  await new Promise((r) => labServer?.close(r));
  jobServer?.closeAllConnections();
  await new Promise((r) => jobServer?.close(r));
  webhook?.closeAllConnections();
  await new Promise((r) => webhook?.close(r));
  process.stderr.write(`live stack: the whole run took ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

test('the stack keeps to loopback: no process listens on or connects to another address', () => {
  expect(stack.exposedSockets()).toEqual([]);
});

test('an external scrape job (prometheus.externalScrapeJobs) scrapes its target with the bearer token of its Secret, labelled with its job and labels', async () => {
  const series = await waitFor('the external target\'s series', deadline(60_000), async () => {
    const r = await instant('lab_gpu_temperature_celsius');
    return r.length > 0 ? r : undefined;
  }, 1000);
  expect(series.map((r) => ({ job: r.metric.job, room: r.metric.room, value: r.value[1] }))).toEqual([{ job: 'lab-workstation', room: 'lab-3', value: '41' }]);
  // Every request carried the token (none was refused).
  expect([...new Set(labAuth)]).toEqual([`Bearer ${LAB_TOKEN}`]);
});

test('every scrape target is up, labelled as the generated relabelling labels it in-cluster', async () => {
  const scraped = stack.cluster.pods.filter((p) => p.annotations[ScrapeAnnotations.scrape] === 'true');
  // prometheus, alertmanager, victoria-metrics, otel-collector, the FL server and 2 clients, the onboarded trainer.
  expect(scraped.length).toBeGreaterThanOrEqual(8);
  type Target = { labels: Record<string, string>; health: string; lastError: string; scrapePool: string };
  const targets = await waitFor('every target up', deadline(60_000), async () => {
    const all = (await prom<{ activeTargets: Target[] }>('/api/v1/targets', { state: 'active' })).activeTargets;
    const down = all.filter((x) => x.health !== 'up').map((x) => `${x.labels.pod} ${x.health} ${x.lastError}`);
    // The pods that opt in themselves (the annotated Service's target is checked on its own below).
    const t = all.filter((x) => x.scrapePool !== 'kubernetes-service-endpoints' && x.scrapePool !== 'lab-workstation');
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

test('the onboarded namespace: an annotated pod and an annotated Service are scraped as in the stack\'s namespaces, with a Role there', async () => {
  type Target = { labels: Record<string, string>; health: string; scrapePool: string; scrapeUrl: string };
  const targets = await waitFor('the onboarded targets up', deadline(60_000), async () => {
    const t = (await prom<{ activeTargets: Target[] }>('/api/v1/targets', { state: 'active' })).activeTargets.filter((x) => x.labels.namespace === ONBOARDED);
    return t.length === 2 && t.every((x) => x.health === 'up') ? t : undefined;
  });
  const byPool = Object.fromEntries(targets.map((t) => [t.scrapePool, t]));
  // The pod's own annotations: job from its app.kubernetes.io/name, the annotated scheme, port and path.
  expect(byPool['kubernetes-pods'].labels).toMatchObject({ job: 'trainer', namespace: ONBOARDED, pod: 'trainer-local-0', node: LOCAL_NODE });
  expect(byPool['kubernetes-pods'].scrapeUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${JOB_PATH}$`));
  // The Service's: job from the Service, its name as a label, the pod behind it.
  expect(byPool['kubernetes-service-endpoints'].labels).toMatchObject({ job: 'evaluator', service: 'evaluator', namespace: ONBOARDED, pod: 'evaluator-local-0', node: LOCAL_NODE });
  expect(byPool['kubernetes-service-endpoints'].scrapeUrl).toMatch(new RegExp(`${JOB_PATH}$`));
  expect((await instant(`training_job_steps_total{namespace="${ONBOARDED}"}`)).map((s) => s.metric.job).sort()).toEqual(['evaluator', 'trainer']);
  // In-cluster, the discovery reads there are granted by a Role of that namespace; no policy of it is touched.
  const inNamespace = stack.objects.filter((o) => o.metadata.namespace === ONBOARDED);
  expect(inNamespace.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Role/prometheus', 'RoleBinding/prometheus']);
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
  // cAdvisor's series are selected by their kubelet path, not by job (src/monitoring/selectors.ts).
  const cadvisor = Object.entries(jobMatchers('cadvisor')).map(([k, v]) => `${k}="${v}"`).join(', ');
  return [...[...expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1]), ...(expr.includes(cadvisor) ? ['cadvisor'] : [])];
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
  let results = await evaluateDashboards(undefined, notRun);
  // Only the datasources on the list are skipped, and the list is not stale: each skips something.
  expect(results.length).toBeGreaterThan(0);
  expect([...new Set(notRun.map((n) => n.reason))].sort()).toEqual(Object.values(NOT_RUNNABLE_DATASOURCES).sort());
  expect(results.filter((r) => r.error !== undefined)).toEqual([]);
  const emptyOf = (rs: readonly QueryResult[]): QueryResult[] => rs.filter((r) => r.series === 0 && !excused(r) && QUIET_WHEN_HEALTHY[r.panel] === undefined);
  // A component's first requests may come late on a loaded machine (MLflow's counters exist from its
  // first request on): the panels still empty are evaluated again for up to 2 minutes.
  const retryUntil = Date.now() + 120_000;
  while (emptyOf(results).length > 0 && Date.now() < retryUntil) {
    await new Promise((r) => setTimeout(r, 5000));
    const waiting = new Set(emptyOf(results).map((r) => r.panel));
    const again = await evaluateDashboards((panel) => waiting.has(panel));
    results = [...results.filter((r) => !waiting.has(r.panel)), ...again];
  }
  const empty = emptyOf(results);
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

// ---------------------------------------------------------------------------------------------
// MLflow (issue 21): the real `mlflow server` of the pinned release, run from its virtualenv with the
// generated arguments and environment; the federation logs to it over REST.

/** MLflow's REST API on loopback: JSON, or an error naming the call. */
async function mlflowApi<T>(path: string, init: { method?: string; body?: unknown; query?: Record<string, string> } = {}): Promise<T> {
  const url = `${stack.urls.mlflow!}${path}${init.query === undefined ? '' : `?${new URLSearchParams(init.query)}`}`;
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`MLflow ${init.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

interface MlflowRun {
  info: { run_id: string; experiment_id: string; status: string; artifact_uri: string };
  data: { params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
}
/** The run of the experiment the config names: exactly one (one federation). */
async function theRun(): Promise<MlflowRun> {
  const name = stack.config.mlflow.experimentName;
  const experiment = await mlflowApi<{ experiment: { experiment_id: string } }>('/api/2.0/mlflow/experiments/get-by-name', { query: { experiment_name: name } });
  const { runs } = await mlflowApi<{ runs?: MlflowRun[] }>('/api/2.0/mlflow/runs/search', { method: 'POST', body: { experiment_ids: [experiment.experiment.experiment_id] } });
  expect((runs ?? []).map((r) => r.info.run_id)).toHaveLength(1);
  return runs![0];
}
/** step → value of one metric of the run. */
async function history(runId: string, key: string): Promise<Map<number, number>> {
  const { metrics } = await mlflowApi<{ metrics?: { step: number; value: number }[] }>('/api/2.0/mlflow/metrics/get-history', { query: { run_id: runId, metric_key: key } });
  return new Map((metrics ?? []).map((m) => [m.step, m.value]));
}
/** The raw samples Prometheus scraped of one fl-server series since the start: timestamp (s) → value. */
async function scraped(metric: string): Promise<Map<number, number>> {
  const r = await prom<{ result: { values: [number, string][] }[] }>('/api/v1/query', { query: `${metric}{job="${ComponentName.FL_SERVER}"}[15m]` });
  expect(r.result).toHaveLength(1);
  return new Map(r.result[0].values.map(([t, v]) => [t, Number(v)]));
}
/** The FL server's JSON log records so far. */
function serverRecords(): Record<string, unknown>[] {
  const server = stack.processes.find((p) => p.component === ComponentName.FL_SERVER)!.process;
  return server.output().filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}
const sha256 = (data: Buffer | Uint8Array): string => createHash('sha256').update(data).digest('hex');

test('MLflow: the federation is one run with its parameters, per-round metrics equal to what Prometheus scraped, checkpoints byte for byte; its id in fl_training_info and the logs', async () => {
  const { config } = stack;
  const run = await theRun();
  const runId = run.info.run_id;
  expect(run.info.status).toBe('RUNNING'); // the live federation has 1000 rounds
  expect(Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]))).toMatchObject({
    num_rounds: String(config.fl.rounds),
    num_clients: String(config.fl.numClients),
    min_clients: String(config.fl.minClients),
    strategy: config.fl.strategy,
    model_name: config.fl.modelName,
    learning_rate: '0.2',
    local_epochs: '5',
    batch_size: 'full',
    failure_policy: config.fl.roundFailurePolicy,
  });
  // The run id on the info series (the only one: the run existed before the first sample) and in the logs.
  expect((await instant('fl_training_info{job="fl-server"}')).map((s) => s.metric.mlflow_run_id)).toEqual([runId]);
  // Enough rounds to compare (each takes about 10 s here).
  const records = await waitFor('4 completed rounds', deadline(120_000), async () => {
    const r = serverRecords();
    return r.filter((x) => x.event === 'round_completed').length >= 4 ? r : undefined;
  }, 2000);
  expect(records.filter((r) => r.event === 'mlflow_run_created').map((r) => r.mlflow_run_id)).toEqual([runId]);
  const completed = records.filter((r) => r.event === 'round_completed');
  expect(new Set(completed.map((r) => r.mlflow_run_id))).toEqual(new Set([runId]));

  // Per round (step = round): the values the server exported. A scrape during round k holds round k's
  // value of a gauge once its phase is done, else round k-1's; both are in the run, exactly.
  const rounds = await scraped('fl_current_round');
  const last = Math.max(...rounds.values());
  await waitFor(`MLflow has round ${last}`, deadline(120_000), async () => ((await history(runId, 'accuracy')).has(last) ? true : undefined), 2000);
  const matched: Record<string, number> = {};
  for (const [key, metric] of [['train_loss', 'fl_train_loss'], ['eval_loss', 'fl_eval_loss'], ['accuracy', 'fl_accuracy'], ['num_clients', 'fl_active_clients']] as const) {
    const steps = await history(runId, key);
    expect([...steps.keys()]).toEqual(Array.from({ length: steps.size }, (_, i) => i + 1));
    const unmatched: string[] = [];
    const seen = new Set<number>();
    for (const [t, v] of await scraped(metric)) {
      const k = rounds.get(t);
      // From round 2 on, both candidates are rounds (before round 1's phases the gauges hold their initial values).
      if (!Number.isFinite(v) || k === undefined || k < 2) continue;
      const step = [k, k - 1].find((s) => steps.get(s) === v);
      if (step === undefined) unmatched.push(`${metric}=${v} at round ${k} (MLflow: ${steps.get(k)} / ${steps.get(k - 1)})`);
      else seen.add(step);
    }
    expect(unmatched).toEqual([]);
    matched[key] = seen.size;
  }
  expect(matched.train_loss).toBeGreaterThanOrEqual(3);
  expect(matched.accuracy).toBeGreaterThanOrEqual(3);

  // A checkpoint (every round here): the artifact, through the server's proxy, is the file the server wrote.
  const saved = records.filter((r) => r.event === 'checkpoint_saved');
  const checkpoint = saved[saved.length - 2]; // the last may still be on its way
  const path = String(checkpoint.path);
  const artifact = `${run.info.artifact_uri.replace(/^mlflow-artifacts:\//, '')}/checkpoints/${path.slice(path.lastIndexOf('/') + 1)}`;
  const res = await fetch(`${stack.urls.mlflow!}/api/2.0/mlflow-artifacts/artifacts/${artifact}`, { signal: AbortSignal.timeout(20_000) });
  expect(res.status).toBe(200);
  const downloaded = sha256(Buffer.from(await res.arrayBuffer()));
  expect([downloaded, sha256(readFileSync(path))]).toEqual([checkpoint.sha256, checkpoint.sha256]);
  process.stderr.write(`MLflow run ${runId}: ${completed.length} rounds, ${matched.train_loss} of them compared with Prometheus's samples, checkpoint ${artifact} ${downloaded.slice(0, 12)}…\n`);
});

test('MLflow: Prometheus scrapes its exporter, whose series carry the catalogued labels; its panels return data', async () => {
  const catalog = fullCatalog(COMPONENTS).metrics.filter((m) => m.exporter === ComponentName.MLFLOW);
  const series = await prom<Record<string, string>[]>('/api/v1/series', { 'match[]': '{job="mlflow"}', start: String(startedAt / 1000) });
  const target = ['__name__', 'job', 'namespace', 'pod', 'node', 'instance'];
  const problems: string[] = [];
  for (const m of catalog) {
    for (const name of m.type === MetricType.HISTOGRAM ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]) {
      const found = series.filter((s) => s.__name__ === name);
      if (found.length === 0) problems.push(`${name}: no series`);
      for (const s of found) {
        const own = Object.keys(s).filter((k) => !target.includes(k)).sort();
        const expected = [...m.labels, ...(name.endsWith('_bucket') ? ['le'] : [])].sort();
        if (JSON.stringify(own) !== JSON.stringify(expected)) problems.push(`${name}: ${JSON.stringify(s)} (expected ${expected.join(',')})`);
      }
    }
  }
  expect(problems).toEqual([]);
  // The FL server's calls are what MLflow counts (the exporter leaves out /health and /metrics).
  expect((await instant('sum(mlflow_http_request_total{job="mlflow", method="POST", status="200"}) > 0')).length).toBe(1);
  const panels = await evaluateDashboards((p) => p.startsWith('fl-stack-health/MLflow') || p === 'fl-stack-health/FL server → MLflow failed calls');
  expect(panels.length).toBe(5);
  expect(panels.filter((r) => r.error !== undefined || r.series === 0)).toEqual([]);
});

test('MLflow stopped mid-federation: training goes on, each failed call is counted and logged, the tracking alert goes pending', async () => {
  const mark = serverRecords().length;
  const runId = (await instant('fl_training_info{job="fl-server"}'))[0].metric.mlflow_run_id;
  await stack.process('mlflow-0').process.stop();
  const stoppedAt = Date.now();
  // Rounds complete without MLflow (the second one wholly after the stop): metrics and checkpoints fail to go, and are counted.
  const after = await waitFor('two rounds completed without MLflow', deadline(120_000), async () => {
    const records = serverRecords().slice(mark);
    return records.filter((r) => r.event === 'round_completed').length >= 2 ? records : undefined;
  }, 1000);
  const failures = after.filter((r) => r.event === 'mlflow_failure');
  expect(failures.length).toBeGreaterThanOrEqual(2);
  expect(new Set(failures.map((r) => `${r.level} ${r.operation} ${r.mlflow_run_id}`))).toEqual(new Set([`warning log_batch ${runId}`, `warning log_artifact ${runId}`]));
  // Prometheus sees the counter grow; the generated alert (firing after 5m: promtool tests) is pending.
  await waitFor('fl_mlflow_failures_total and a pending FlExperimentTrackingFailing', deadline(90_000), async () => {
    const counted = await instant('sum(fl_mlflow_failures_total{job="fl-server", operation="log_batch"}) >= 2');
    const alerts = (await prom<{ alerts: { labels: Record<string, string>; state: string }[] }>('/api/v1/alerts')).alerts;
    return counted.length > 0 && alerts.some((a) => a.labels.alertname === 'FlExperimentTrackingFailing' && a.labels.operation === 'log_batch') ? true : undefined;
  }, 2000);
  process.stderr.write(`MLflow stopped: ${after.filter((r) => r.event === 'round_completed').length} rounds completed in ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s, ${failures.length} failed calls logged\n`);
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
  const errors = await waitFor('FL error lines in VictoriaLogs', deadline(120_000), async () => {
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

/** Series of the central store matching `match` (basic auth, TLS verified against its CA). */
async function centralSeries(match: string): Promise<Record<string, string>[]> {
  const r = await central.get('/api/v1/series', { 'match[]': match, start: String(Math.floor(startedAt / 1000)) }, { username: central.username, password: central.password });
  if (r.status !== 200) {
    throw new Error(`central store: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  }
  return (JSON.parse(r.body) as { data: Record<string, string>[] }).data;
}

test('the central store receives the series through remote_write over TLS with basic auth, relabelled; unauthenticated writes are refused', async () => {
  const cluster = stack.config.clusterName;
  const inPrometheus = (await prom<Record<string, string>[]>('/api/v1/series', { 'match[]': '{__name__=~"fl_.*"}', start: String(startedAt / 1000) })).map((s) => stripLabels(s, []));
  const inCentral = await waitFor('the fl_* series in the central store', deadline(90_000), async () => {
    const s = await centralSeries('{__name__=~"fl_.*"}');
    const keys = new Set(s.map((x) => stripLabels(x, ['cluster'])));
    return inPrometheus.every((k) => keys.has(k)) ? s : undefined;
  }, 2000);
  // Every series carries the cluster external label, which the dashboards' cluster variable lists.
  expect(new Set(inCentral.map((s) => s.cluster))).toEqual(new Set([cluster]));
  expect((await centralSeries(`training_job_steps_total{namespace="${ONBOARDED}"}`)).map((s) => s.job).sort()).toEqual(['evaluator', 'trainer']);
  // write_relabel_configs kept only up, fl_* and training_job_*: Prometheus's own series stayed home.
  const names = new Set((await centralSeries('{__name__=~".+"}')).map((s) => s.__name__));
  expect([...names].filter((n) => !/^(up|fl_.+|training_job_.+)$/.test(n))).toEqual([]);
  expect((await instant('prometheus_remote_storage_samples_total{remote_name="central"}')).length).toBeGreaterThan(0);
  expect((await instant('sum(prometheus_remote_storage_samples_failed_total{remote_name="central"}) > 0'))).toEqual([]);

  // The store refuses a write (and a read) without credentials or with a wrong password, and takes the same write with them.
  const probe = (attempt: string) => `auth_probe{attempt="${attempt}"} 1\n`;
  const anonymous = central.push(probe('anonymous'), undefined);
  const wrong = central.push(probe('wrong'), { username: central.username, password: 'not-the-password' });
  const right = central.push(probe('authenticated'), { username: central.username, password: central.password });
  expect([anonymous.status, wrong.status, right.status]).toEqual([1, 1, 0]);
  expect(anonymous.output).toContain('401 Unauthorized');
  expect(wrong.output).toContain('401 Unauthorized');
  expect((await central.get('/api/v1/series', { 'match[]': 'up' }, undefined)).status).toBe(401);
  const probes = await waitFor('the authenticated probe in the central store', deadline(30_000), async () => {
    const s = await centralSeries('auth_probe');
    return s.length > 0 ? s : undefined;
  }, 1000);
  expect(probes.map((s) => s.attempt)).toEqual(['authenticated']);
  process.stderr.write(`central store: ${inCentral.length} fl_* series of cluster ${cluster} over HTTPS + basic auth; ${names.size} metric names after write_relabel_configs; anonymous and wrong-password writes refused (401)\n`);
});
