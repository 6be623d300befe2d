/**
 * HTTPS for Prometheus and Alertmanager (`webTls`, issue 17), live: the generated config with the web
 * certificate on, run by the live harness as real processes on 127.0.0.1 with their generated args,
 * web configs (`--web.config.file`), probes and mounted Secret, only paths, discovery and listen
 * addresses localized. A throwaway CA signs a certificate for both Services' names, as cert-manager
 * would. Shown:
 * - each serves HTTPS only (a plain HTTP request is refused) with the Secret's certificate, which
 *   verifies under its Service's name with the CA and not with another CA;
 * - `promtool check web-config` accepts the web config each runs with;
 * - Prometheus scrapes both over TLS through the jobs that verify the certificate (`up` is 1 for
 *   both), and its alerts reach Alertmanager over TLS (the always-firing Watchdog is listed there).
 * Nothing else of the stack is started: this is about the two web servers and their clients.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ComponentName } from '../../src/common/names';
import { serviceHost } from '../../src/common/topology';
import { WEB_CONFIG_FILE } from '../../src/common/web-tls';
import { stackTopology } from '../../src/component-list';
import { resolveConfig } from '../../src/config/loader';
import { makePki, type Pki } from '../health/pki';
import { tool } from '../tools';
import { httpGet, startLiveStack, waitFor, type LiveStack } from './harness';

const config = resolveConfig({
  profile: 'minikube',
  overrides: {
    webTls: { enabled: true },
    scrapeInterval: '5s',
    evaluationInterval: '5s',
    alertmanager: { groupWait: '1s' },
    // Only the two web servers: no workload, log pipeline or long-term store.
    fl: { enabled: false },
    victoriaMetrics: { enabled: false },
    otelCollector: { enabled: false },
    fluentd: { enabled: false },
    loki: { enabled: false },
  },
});
const topology = stackTopology(config);
const TLS = [ComponentName.PROMETHEUS, ComponentName.ALERTMANAGER] as const;
const log = (line: string): void => {
  process.stderr.write(`web-tls: ${line}\n`);
};

let stack: LiveStack | undefined;
let pki: Pki;
let otherCa: Pki;

function live(): LiveStack {
  if (stack === undefined) throw new Error('the stack did not start (see beforeAll)');
  return stack;
}
const urlOf = (name: (typeof TLS)[number]): string => {
  const url = name === ComponentName.PROMETHEUS ? live().urls.prometheus : live().urls.alertmanager;
  if (url === undefined) throw new Error(`${name} is not running`);
  return url;
};
/** GET over HTTPS verified with the stack's CA under the Service's name. */
const verified = (name: (typeof TLS)[number], path: string) => httpGet(`${urlOf(name)}${path}`, 5000, { ca: pki.pem(pki.caFile), serverName: serviceHost(topology.endpoint(name)) });

beforeAll(async () => {
  pki = makePki('web-tls-test', [...TLS.map((name) => `DNS:${serviceHost(topology.endpoint(name))}`), 'IP:127.0.0.1']);
  otherCa = makePki('web-tls-other');
  stack = await startLiveStack({
    config,
    secrets: { [config.webTls.secret]: { 'tls.crt': pki.serverCert, 'tls.key': pki.serverKey, 'ca.crt': pki.pem(pki.caFile) } },
    readyTimeoutMs: 120_000,
    log,
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

test.each(TLS)('%s serves HTTPS only, with the Secret certificate, verified under its Service name', async (name) => {
  const url = urlOf(name);
  expect(url.startsWith('https://')).toBe(true);
  const plain = await httpGet(url.replace(/^https:/, 'http:') + '/-/ready');
  // Go's TLS server answers an HTTP request with 400 and no page.
  expect(plain.status).toBe(400);
  expect(plain.body).toContain('HTTP request to an HTTPS server');
  expect((await verified(name, '/-/ready')).status).toBe(200);
  const wrongCa = await httpGet(`${url}/-/ready`, 5000, { ca: otherCa.pem(otherCa.caFile), serverName: serviceHost(topology.endpoint(name)) });
  expect(wrongCa.status).toBe(0);
});

test.each(TLS)('promtool check web-config accepts the web config %s runs with', (name) => {
  const proc = live().processes.find((p) => p.component === name)!;
  const dir = proc.mounts.find((m) => m.path.endsWith('/config'))!.localPath;
  const r = spawnSync(tool('promtool'), ['check', 'web-config', join(dir, WEB_CONFIG_FILE)], { encoding: 'utf8' });
  log(`promtool check web-config (${name}): ${r.stdout.trim()}${r.stderr.trim()}`);
  expect([r.status, `${r.stdout}${r.stderr}`]).toEqual([0, expect.stringContaining('SUCCESS')]);
});

test('Prometheus scrapes both over verified TLS, and its alerts reach Alertmanager over TLS', async () => {
  const started = Date.now();
  const up = await waitFor('up of prometheus and alertmanager over TLS', Date.now() + 90_000, async () => {
    const r = await verified(ComponentName.PROMETHEUS, `/api/v1/query?query=${encodeURIComponent('up{job=~"prometheus|alertmanager"}')}`);
    const result = (JSON.parse(r.body) as { data: { result: { metric: { job: string }; value: [number, string] }[] } }).data.result;
    const byJob = Object.fromEntries(result.map((s) => [s.metric.job, s.value[1]]));
    return byJob.prometheus === '1' && byJob.alertmanager === '1' ? byJob : undefined;
  });
  const targets = JSON.parse((await verified(ComponentName.PROMETHEUS, '/api/v1/targets?state=active')).body) as {
    data: { activeTargets: { scrapePool: string; scrapeUrl: string; health: string }[] };
  };
  const tlsTargets = targets.data.activeTargets.filter((t) => t.scrapePool.startsWith('kubernetes-pods-web-tls-'));
  expect(tlsTargets.map((t) => [t.scrapePool, t.scrapeUrl.split(':')[0], t.health]).sort()).toEqual([
    ['kubernetes-pods-web-tls-alertmanager', 'https', 'up'],
    ['kubernetes-pods-web-tls-prometheus', 'https', 'up'],
  ]);
  const watchdog = await waitFor('Watchdog at Alertmanager', Date.now() + 90_000, async () => {
    const alerts = JSON.parse((await verified(ComponentName.ALERTMANAGER, '/api/v2/alerts')).body) as { labels: Record<string, string> }[];
    return alerts.find((a) => a.labels.alertname === 'Watchdog');
  });
  expect(watchdog.labels.alertname).toBe('Watchdog');
  log(`up over TLS ${JSON.stringify(up)}; TLS scrape pools ${tlsTargets.length} up; Watchdog at Alertmanager over TLS after ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
