/**
 * Cross-silo on loopback, with the real programs: three Thanos Receive replicas (the generated
 * hashring, replication factor 2, mutual TLS, a filesystem bucket), the Store Gateway and Thanos
 * Query in front, and three sites, each a vmagent running its generated site config and scraping a
 * site-local FL client exporter through the discovery transform (test/local: kubernetes_sd becomes
 * the static targets discovery would find, so the generated relabelling runs as generated).
 *
 * The processes run the generated flags and configs (test/live/federation.ts says what is rewritten).
 *
 * Asserts: a push without a client certificate is refused; every site's series arrive through Query
 * with its `site` and `tenant` (the client certificate's CommonName) and the generated job, pod and
 * client_index labels; every query of the generated Sites dashboard returns every site; the health CLI's probes pass against them; a Receive replica holding a copy
 * of a site's series is SIGKILLed mid-run, then every replica is stopped for a while and an agent
 * restarted meanwhile, and not one sample is lost (per series, what the exporter served equals what
 * Query returns, deduplicated) and no agent dropped anything; the blocks the replicas cut and upload at
 * shutdown are served by a restarted Store Gateway (a Query over it alone returns what Query over every
 * store returns for that time); a site whose agent stops fires the generated
 * SiteStoppedSending in Thanos Rule (the federation's rules over Query), which reaches the
 * Alertmanager API (a loopback stand-in; the routing of the alert is amtool's test).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import { stopAll, tempDir, type Started } from '../health/processes';
import { Federation, LOOPBACK, RECEIVE_SERVER_NAME, siteConfig as federationSite } from './federation';
import { COMPONENTS } from '../../src/component-list';
import { collectMonitoring } from '../../src/monitoring/collect';
import { siteSilenceSeconds } from '../../src/components/thanos/sites-mixin';
import { THANOS_PROBES } from '../../src/components/thanos/health';
import { VMAGENT_PROBE } from '../../src/components/vmagent/health';
import { HealthStatus } from '../../src/health/status';
import { runProbe } from '../health/probe-runner';

const SITES = ['site-a', 'site-b', 'site-c'] as const;
/** The catalogued FL client series the exporter serves, one sample per scrape. */
const SERIES = 'fl_client_rounds_total';

const dir = tempDir('cross-silo');
// Short intervals so that the federation's absence window (derived from them) passes within the test.
const INTERVALS = { scrapeInterval: '2s', evaluationInterval: '2s' };
const central = resolveConfig({ profile: 'central', overrides: INTERVALS });
const federation = new Federation(dir, central, SITES);
const siteConfig = (site: string): StackConfig => federationSite(site, INTERVALS);

/** An FL client's metrics endpoint that counts the samples it serves (one per scrape of the series). */
interface Exporter {
  readonly port: number;
  served(): number;
  close(): Promise<void>;
}

async function startExporter(): Promise<Exporter> {
  let served = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    served += 1;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE ${SERIES} counter\n${SERIES} ${served}\n`);
  });
  await new Promise<void>((ok) => server.listen(0, LOOPBACK, ok));
  return {
    port: (server.address() as AddressInfo).port,
    served: () => served,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Query's instant-query result (deduplicated over the replicas). */
async function query(url: string, promql: string, dedup = true, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const at = time === undefined ? '' : `&time=${time}`;
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}&dedup=${dedup}&partial_response=true${at}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  // (A range-vector query answers with `values` in place of `value`.)
  if (body.status !== 'success') throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** What the processes said last, for a failure message. */
function diagnostics(): string {
  return [...receives, ...Object.values(agents)].map((p) => `--- ${p.name}:\n${p.output().split('\n').slice(-8).join('\n')}`).join('\n');
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === '' ? '' : ` (last: ${last})`}\n${diagnostics()}`);
}

/** A remote-write POST to Receive over TLS without a client certificate: the error it ends with. */
function pushWithoutCertificate(port: number): Promise<string> {
  return new Promise((resolvePromise) => {
    const req = request(
      { host: LOOPBACK, port, path: '/api/v1/receive', method: 'POST', ca: readFileSync(join(dir, 'ca.crt')), servername: RECEIVE_SERVER_NAME, timeout: 5000 },
      (res) => {
        res.resume();
        resolvePromise(`HTTP ${res.statusCode}`);
      },
    );
    req.on('error', (err) => resolvePromise(err.message));
    req.end(Buffer.alloc(0));
  });
}

const receives = federation.receives;
const agents = federation.agents;
let storeUrl = '';
let storeGateway: Started | undefined;
/** When the Receive replicas were stopped (each cuts and uploads its head block then). */
let receivesStoppedAt = 0;
/** What reached the Alertmanager API Thanos Rule sends to (a loopback stand-in: POST /api/v2/alerts). */
const alertsReceived: { labels: Record<string, string> }[] = [];
let alertmanagerServer: Server | undefined;
let queryUrl = '';
const exporters: Record<string, Exporter> = {};

beforeAll(async () => {
  ({ queryUrl, storeGateway } = await federation.startCentral());
  storeUrl = storeGateway.url;
  // Thanos Rule with the generated federation rules, alerting to a loopback Alertmanager API.
  alertmanagerServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v2/alerts') alertsReceived.push(...(JSON.parse(body) as { labels: Record<string, string> }[]));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((ok) => alertmanagerServer!.listen(0, LOOPBACK, ok));
  await federation.startRule((alertmanagerServer.address() as AddressInfo).port);
  for (const site of SITES) {
    const exporter = await startExporter();
    exporters[site] = exporter;
    await federation.startSite(site, siteConfig(site), exporter.port);
  }
}, 300_000);

afterAll(async () => {
  await Promise.all(Object.values(exporters).map((e) => e.close().catch(() => undefined)));
  await new Promise<void>((ok) => (alertmanagerServer === undefined ? ok() : alertmanagerServer.close(() => ok())));
  await stopAll();
  if (process.env.FLOBS_LIVE_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
});

test('Receive refuses a push without a client certificate', async () => {
  const outcome = await pushWithoutCertificate(federation.remoteWritePort);
  console.log(`cross-silo: a push without a client certificate ends with: ${outcome}`);
  expect(outcome).not.toMatch(/^HTTP/);
  expect(outcome).toMatch(/certificate required|handshake|socket hang up|ECONNRESET/i);
});

test('every site\'s series arrive through Query with their site, tenant and the generated scrape labels', async () => {
  const rows = await until('every site in Query', 90_000, async () => {
    const r = await query(queryUrl, SERIES);
    return r.length === SITES.length ? r : undefined;
  });
  expect(rows.map((r) => r.metric).sort((a, b) => a.site.localeCompare(b.site))).toEqual(
    SITES.map((site) => ({
      __name__: SERIES,
      site,
      tenant: site,
      cluster: site,
      job: 'fl-client',
      namespace: 'fl-training',
      pod: 'fl-client-0',
      node: 'local-node',
      client_index: '0',
      instance: expect.any(String),
    })),
  );
  // Each agent's own metrics leave the site too (a site that stops sending is seen by their absence).
  const up = await until('the agents\' own up series', 60_000, async () => {
    const r = await query(queryUrl, 'up{job="vmagent"}');
    return r.length === SITES.length ? r : undefined;
  });
  expect(up.map((r) => [r.metric.site, r.metric.tenant, r.value[1]]).sort()).toEqual(SITES.map((s) => [s, s, '1']));
  const rss = SITES.map((site) => `${site} ${Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${agents[site].child.pid}/status`, 'utf8'))![1]) / 1024)} MiB`);
  console.log(`cross-silo: vmagent resident memory: ${rss.join(', ')}`);
});

test('every query of the Sites dashboard runs through Query without error and returns every site', async () => {
  const def = collectMonitoring(central, COMPONENTS).dashboardDefs.find((d) => d.uid === 'fl-sites')!;
  // Grafana's defaults: every multi-select variable at All (its allValue), the rate interval 4 scrapes.
  const vars: Record<string, string> = { site: '.*', cluster: '.*', namespace: '.*', __rate_interval: '20s' };
  const substitute = (text: string): string => text.replace(/\$(\w+)/g, (m, name: string) => vars[name] ?? m);
  const labels = (await (await fetch(`${queryUrl}/api/v1/label/site/values?${new URLSearchParams({ 'match[]': substitute('up{job="vmagent"}') })}`)).json()) as { data: string[] };
  expect([...labels.data].sort()).toEqual([...SITES]);
  const panels = (def.json.panels as { title: string; targets?: { expr: string }[] }[]).filter((p) => (p.targets ?? []).length > 0);
  expect(panels.length).toBeGreaterThanOrEqual(6);
  for (const panel of panels) {
    for (const target of panel.targets!) {
      // Per-site panels show each site; the count of sites counts them all. (A rate needs two
      // samples in its window: poll until every site has them.)
      await until(`${panel.title}: ${target.expr} for every site`, 60_000, async () => {
        const rows = await query(queryUrl, substitute(target.expr));
        const perSite = rows.some((r) => r.metric.site !== undefined);
        const got = perSite ? rows.map((r) => r.metric.site).sort() : rows.map((r) => Number(r.value[1]));
        if (JSON.stringify(got) !== JSON.stringify(perSite ? [...SITES] : [SITES.length])) throw new Error(`got ${JSON.stringify(got)}`);
        return got;
      });
    }
  }
});

test('the FL clients dashboard through Query: its site variable lists every site; one site picked shows that site\'s client alone', async () => {
  const def = collectMonitoring(central, COMPONENTS).dashboardDefs.find((d) => d.uid === 'fl-clients')!;
  const variables = (def.json.templating as { list: { name: string; query?: string }[] }).list;
  const siteQuery = /^label_values\((.*), site\)$/.exec(variables.find((v) => v.name === 'site')!.query!)![1]!.replace('$cluster', '.*');
  const listed = (await (await fetch(`${queryUrl}/api/v1/label/site/values?${new URLSearchParams({ 'match[]': siteQuery })}`)).json()) as { data: string[] };
  expect({ siteQuery, sites: [...listed.data].sort() }).toEqual({ siteQuery, sites: [...SITES] });
  const fits = (def.json.panels as { title: string; targets?: { expr: string }[] }[]).find((p) => p.title === 'Fits completed')!.targets![0]!.expr;
  const substitute = (site: string): string =>
    fits.replace(/\$(\w+)/g, (m, name: string) => ({ cluster: '.*', namespace: 'fl-training', site, client: '.*' })[name] ?? m);
  // One evaluation time for every query: the counters move between requests.
  const t = Date.now() / 1000;
  const own = Object.fromEntries(await Promise.all(SITES.map(async (site) => [site, Number((await query(queryUrl, `${SERIES}{site="${site}"}`, true, t))[0]!.value[1])] as const)));
  for (const site of SITES) {
    const rows = await query(queryUrl, substitute(site), true, t);
    expect(rows.map((r) => [r.metric.pod, r.metric.client_index, Number(r.value[1])])).toEqual([['fl-client-0', '0', own[site]]]);
  }
  // All: the three sites' clients (one pod name at every site) add up.
  const all = await query(queryUrl, substitute('.*'), true, t);
  expect(all.map((r) => Number(r.value[1]))).toEqual([SITES.reduce((sum, site) => sum + own[site]!, 0)]);
  console.log(`cross-silo: FL clients dashboard by site: ${SITES.map((site) => `${site} ${own[site]} fits`).join(', ')}; All ${all[0]!.value[1]}`);
});

test('the health CLI\'s probes of Thanos and vmagent pass against the real programs', async () => {
  const urls: Record<string, string> = { 'thanos-receive': receives[0].url, 'thanos-query': queryUrl, 'thanos-store': storeUrl };
  for (const probe of THANOS_PROBES.filter((p) => urls[p.component] !== undefined)) {
    expect({ [probe.component]: await runProbe(probe, urls[probe.component], central) }).toEqual({ [probe.component]: { ready: { status: HealthStatus.OK, detail: '/-/ready answered 200' } } });
  }
  expect(await runProbe(VMAGENT_PROBE, agents[SITES[0]].url, siteConfig(SITES[0]))).toEqual({ health: { status: HealthStatus.OK, detail: '/health answered 200' } });
});

test('not one sample is lost: a Receive replica killed mid-run (replication factor 2), then the whole store down and an agent restarted (on-disk queue)', async () => {
  // The victim holds a copy of site-a's series (not replica 0, where the sites write): from now on
  // that series is written to its other replica only, and Query finds every sample there.
  const copies = await query(queryUrl, `${SERIES}{site="${SITES[0]}"}`, false);
  const holders = copies.map((r) => r.metric.receive_replica).sort();
  expect(holders).toHaveLength(central.thanos.receive.replicationFactor);
  const victimName = holders.find((h) => h !== 'thanos-receive-0')!;
  const victim = receives.find((r) => r.name === victimName)!;
  victim.child.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 12_000));
  // Then the whole central store is down for a while, and site-a's agent restarts meanwhile: the
  // agents keep what the store has not acknowledged in their on-disk queues and send it when it is back.
  const alive = receives.filter((r) => r !== victim);
  receivesStoppedAt = Date.now();
  await Promise.all(alive.map((r) => r.stop()));
  await new Promise((r) => setTimeout(r, 8_000));
  const servedBeforeRestart = exporters[SITES[0]].served();
  await agents[SITES[0]].stop();
  const servedAtStop = exporters[SITES[0]].served();
  agents[SITES[0]] = await federation.restart(agents[SITES[0]].name);
  await new Promise((r) => setTimeout(r, 6_000));
  const queued = await (await fetch(`${agents[SITES[1]].url}/metrics`)).text();
  const pending = Number(/^vmagent_remotewrite_pending_data_bytes\{[^}]*\} (\S+)$/m.exec(queued)?.[1] ?? 0);
  for (const r of receives) receives[receives.indexOf(r)] = await federation.restart(r.name);
  // Stop the exporters: from now on no sample is produced, so what they served is final.
  for (const e of Object.values(exporters)) await e.close();
  const served = Object.fromEntries(SITES.map((s) => [s, exporters[s].served()]));
  const counts = await until('every served sample in Query', 90_000, async () => {
    const got: Record<string, number> = {};
    for (const site of SITES) {
      const r = await query(queryUrl, `count_over_time(${SERIES}{site="${site}"}[30m])`);
      got[site] = r.length === 1 ? Number(r[0].value[1]) : 0;
    }
    const short = SITES.filter((s) => got[s] < served[s]);
    if (short.length > 0) {
      // Which of the served values (the counter counts the scrapes) are missing, per replica too.
      const missing: Record<string, string> = {};
      for (const site of short) {
        for (const dedup of [true, false]) {
          const r = await query(queryUrl, `${SERIES}{site="${site}"}[30m]`, dedup).catch(() => []);
          for (const row of r as unknown as { metric: Record<string, string>; values: [number, string][] }[]) {
            const have = new Set(row.values.map((v) => Number(v[1])));
            missing[`${site}/${row.metric.receive_replica ?? 'dedup'}`] = Array.from({ length: served[site] }, (_, i) => i + 1).filter((v) => !have.has(v)).join(',');
          }
        }
      }
      throw new Error(`served ${JSON.stringify(served)}, Query returns ${JSON.stringify(got)}; missing values ${JSON.stringify(missing)}; ${SITES[0]}'s agent stopped after value ${servedBeforeRestart} (${servedAtStop} at its exit)`);
    }
    return got;
  });
  console.log(
    `cross-silo: served ${JSON.stringify(served)} samples, Query returns ${JSON.stringify(counts)} (${victimName}, holding a copy of ${SITES[0]}'s series, SIGKILLed mid-run; then every replica down for 14 s, ${SITES[1]}'s queue holding ${pending} bytes, ${SITES[0]}'s agent restarted meanwhile: stopped after its exporter served ${servedBeforeRestart}, ${servedAtStop} at its exit)`,
  );
  expect(counts).toEqual(served);
  // Nothing was refused or dropped on the way: the block the restarted agent was retrying came back
  // late, within Receive's out-of-order window.
  const dropped: Record<string, number> = {};
  for (const site of SITES) {
    const metrics = await (await fetch(`${agents[site].url}/metrics`)).text();
    dropped[site] = [...metrics.matchAll(/^(vmagent_remotewrite_samples_dropped_total|vmagent_remotewrite_packets_dropped_total|vm_persistentqueue_bytes_dropped_total)\{[^}]*\} (\S+)$/gm)]
      .map((m) => Number(m[2]))
      .reduce((x, y) => x + y, 0);
  }
  console.log(`cross-silo: blocks or samples the agents counted as dropped: ${JSON.stringify(dropped)}`);
  expect(dropped).toEqual(Object.fromEntries(SITES.map((site) => [site, 0])));
});

test('the Store Gateway serves what Receive uploaded: the blocks cut at shutdown, read from the bucket, answer a Query that has no other store', async () => {
  // Receive cut and uploaded its head block when it was stopped (the replica killed before gives none).
  const isBlock = (d: string): boolean => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(d) && existsSync(join(federation.bucketDir, d, 'meta.json'));
  const blocks = await until('the uploaded blocks in the bucket', 60_000, async () => {
    const found = readdirSync(federation.bucketDir).filter(isBlock);
    return found.length >= central.thanos.receive.replicas - 1 ? found : undefined;
  });
  // A Store Gateway started now reads the bucket's blocks before it reports ready.
  await storeGateway!.stop();
  storeGateway = await federation.restart('thanos-store-0');
  const storeOnly = (await federation.startQuery('thanos-query-store-only', { storeOnly: true })).url;
  // What was written until shortly before the stop (samples in flight then arrive later, into Receive's new head).
  const t = (receivesStoppedAt - 10_000) / 1000;
  const count = async (url: string, site: string): Promise<number> => Number((await query(url, `count_over_time(${SERIES}{site="${site}"}[30m])`, true, t))[0]?.value[1] ?? 0);
  const fromStore = await until('every site\'s samples from the Store Gateway', 60_000, async () => {
    const got = Object.fromEntries(await Promise.all(SITES.map(async (site) => [site, await count(storeOnly, site)] as const)));
    return SITES.every((site) => got[site]! > 0) ? got : undefined;
  });
  const everywhere = Object.fromEntries(await Promise.all(SITES.map(async (site) => [site, await count(queryUrl, site)] as const)));
  console.log(`cross-silo: ${blocks.length} blocks uploaded at shutdown; samples until 10 s before it, from the Store Gateway alone ${JSON.stringify(fromStore)}, from Query over every store ${JSON.stringify(everywhere)}`);
  expect(fromStore).toEqual(everywhere);
});

test('a site that stops sending fires SiteStoppedSending through the generated federation rules (Thanos Rule over Query), for that site only', async () => {
  const silence = siteSilenceSeconds(central.scrapeInterval);
  await agents[SITES[1]].stop();
  const stoppedAt = Date.now();
  const alert = await until('SiteStoppedSending at the Alertmanager API', (4 * silence + 60) * 1000, async () =>
    alertsReceived.find((a) => a.labels.alertname === 'SiteStoppedSending'),
  );
  console.log(`cross-silo: SiteStoppedSending for ${alert.labels.site} reached the Alertmanager API ${Math.round((Date.now() - stoppedAt) / 1000)} s after its agent stopped (absence window ${silence} s, for ${silence} s)`);
  expect(alert.labels).toEqual({ alertname: 'SiteStoppedSending', site: SITES[1], severity: 'warning' });
  expect(alertsReceived.filter((a) => a.labels.alertname === 'SiteStoppedSending').map((a) => a.labels.site)).not.toContain(SITES[0]);
});
