/**
 * `npm run bench:cross-silo [-- --sites N --series M --seconds S --scrape-interval D]`: the central path
 * of a cross-silo federation under load, on this machine, with the real programs (test/live/federation.ts:
 * the central profile's Thanos Receive hashring, Store Gateway and Query, and N sites whose vmagent runs
 * its generated site config), each site's FL client an exporter of M series. After a warm-up it measures
 * for S seconds and prints figures (no assertion): the samples/s offered and those the hashring
 * ingested (per copy and unique), the agents' backlog and drops, each agent's memory per 10 000
 * series, and the central footprint (memory, CPU, disk). All on 127.0.0.1; everything is stopped and
 * removed at the end.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { resolveConfig } from '../../src/config/loader';
import { parseDuration } from '../../src/config/values';
import { stopAll, tempDir, type Started } from '../health/processes';
import { Federation, LOOPBACK, siteConfig } from '../live/federation';

interface Options {
  readonly sites: number;
  readonly series: number;
  readonly seconds: number;
  readonly scrapeInterval: string;
}

const USAGE = 'usage: npm run bench:cross-silo [-- --sites N (1-20) --series M (1-100000) --seconds S (10-600) --scrape-interval D (5s-60s)]';

function options(argv: readonly string[]): Options {
  const o = { sites: 10, series: 20_000, seconds: 60, scrapeInterval: '10s' };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const int = (min: number, max: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}\n${USAGE}`);
      return n;
    };
    if (flag === '--sites') o.sites = int(1, 20);
    else if (flag === '--series') o.series = int(1, 100_000);
    else if (flag === '--seconds') o.seconds = int(10, 600);
    else if (flag === '--scrape-interval') {
      const ms = parseDuration(value ?? '');
      if (ms === undefined || ms < 5000 || ms > 60_000) throw new Error(`--scrape-interval must be a duration from 5s to 60s, got ${JSON.stringify(value)}\n${USAGE}`);
      o.scrapeInterval = value!;
    } else throw new Error(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
  }
  return o;
}

/** An FL client exporting `series` gauges (the body is built once: values do not matter here). */
async function exporter(site: string, series: number): Promise<{ port: number; server: Server }> {
  const lines = ['# TYPE fl_client_bench_value gauge'];
  for (let i = 0; i < series; i++) lines.push(`fl_client_bench_value{site_series="${site}-${i}"} ${i}`);
  const body = `${lines.join('\n')}\n`;
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain; version=0.0.4' }).end(req.url === '/metrics' ? body : '');
  });
  await new Promise<void>((ok) => server.listen(0, LOOPBACK, ok));
  return { port: (server.address() as AddressInfo).port, server };
}

/** The sum of a metric's samples in a Prometheus text page (every label set). */
async function scraped(url: string, metric: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => Number(m[1])).reduce((a, b) => a + b, 0);
}

/** Resident memory (MiB) and CPU seconds (user + system) of a process, from /proc. */
function usage(p: Started): { rssMiB: number; cpuSeconds: number } {
  const pid = p.child.pid!;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks.
  return { rssMiB: rss, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

const mib = (n: number): string => `${n.toFixed(0)} MiB`;

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const dir = tempDir('bench-cross-silo');
  const sites = Array.from({ length: o.sites }, (_, i) => `site-${String(i + 1).padStart(2, '0')}`);
  const central = resolveConfig({ profile: 'central', overrides: { scrapeInterval: o.scrapeInterval } });
  const federation = new Federation(dir, central, sites);
  const servers: Server[] = [];
  try {
    const t0 = Date.now();
    const { queryUrl } = await federation.startCentral();
    for (const site of sites) {
      const e = await exporter(site, o.series);
      servers.push(e.server);
      await federation.startSite(site, siteConfig(site, { scrapeInterval: o.scrapeInterval }), e.port);
    }
    console.log(`cross-silo bench: ${o.sites} sites × ${o.series} series, scrape every ${o.scrapeInterval}, ${central.thanos.receive.replicas} Receive replicas (replication factor ${central.thanos.receive.replicationFactor}); started in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const interval = parseDuration(o.scrapeInterval)! / 1000;
    // Warm-up: every agent has scraped and sent a few times.
    await new Promise((r) => setTimeout(r, Math.max(20, 3 * interval) * 1000));

    const appended = async (): Promise<number> => (await Promise.all(federation.receives.map((r) => scraped(r.url, 'prometheus_tsdb_head_samples_appended_total')))).reduce((a, b) => a + b, 0);
    // What the agents scraped and pushed to their remote-write queue (the bench series and their own).
    const agentSent = async (): Promise<number> => (await Promise.all(sites.map((s) => scraped(federation.agents[s]!.url, 'vmagent_remotewrite_rows_pushed_after_relabel_total')))).reduce((a, b) => a + b, 0);
    const central0 = federation.receives.map(usage);
    const [a0, s0, w0] = [await appended(), await agentSent(), Date.now()];
    const backlogMid: number[] = [];
    const step = o.seconds / 2;
    await new Promise((r) => setTimeout(r, step * 1000));
    backlogMid.push(...(await Promise.all(sites.map((s) => scraped(federation.agents[s]!.url, 'vmagent_remotewrite_pending_data_bytes')))));
    await new Promise((r) => setTimeout(r, (o.seconds - step) * 1000));
    const [a1, s1, w1] = [await appended(), await agentSent(), Date.now()];
    const seconds = (w1 - w0) / 1000;
    const backlogEnd = await Promise.all(sites.map((s) => scraped(federation.agents[s]!.url, 'vmagent_remotewrite_pending_data_bytes')));
    const dropped = (await Promise.all(sites.map((s) => scraped(federation.agents[s]!.url, 'vmagent_remotewrite_samples_dropped_total')))).reduce((a, b) => a + b, 0);
    const rf = central.thanos.receive.replicationFactor;
    const offered = (o.sites * o.series) / interval;
    const ingested = (a1 - a0) / seconds;
    // The bench series' samples of the window that Query returns (deduplicated over the copies).
    const instant = async (promql: string, time: number): Promise<number> =>
      Number(((await (await fetch(`${queryUrl}/api/v1/query?${new URLSearchParams({ query: promql, time: String(time) })}`)).json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1] ?? 0);
    // Over whole scrape intervals of the window, ending one interval before its end (what is in flight has arrived).
    const range = Math.floor((seconds - interval) / interval) * interval;
    const at = w1 / 1000 - interval;
    const seriesInQuery = await instant('count(fl_client_bench_value)', at);
    const storedPerSecond = (await instant(`sum(count_over_time(fl_client_bench_value[${range}s]))`, at)) / range;
    const agents = sites.map((s) => usage(federation.agents[s]!).rssMiB);
    const central1 = federation.receives.map(usage);
    const receiveCpu = central1.map((u, i) => (u.cpuSeconds - central0[i]!.cpuSeconds) / seconds);
    const disk = execFileSync('du', ['-sm', ...federation.receives.map((r) => `${dir}/${r.name}`)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => Number(l.split('\t')[0]));

    console.log(`offered: ${offered.toFixed(0)} samples/s of bench series (${o.sites * o.series} series every ${interval} s)`);
    console.log(
      `pushed by the agents to remote write (bench series and their own): ${((s1 - s0) / seconds).toFixed(0)} samples/s; dropped: ${dropped}; ` +
        `backlog (pending bytes, all agents) at mid-window ${backlogMid.reduce((a, b) => a + b, 0)}, at the end ${backlogEnd.reduce((a, b) => a + b, 0)}`,
    );
    console.log(
      `ingested by the hashring over ${seconds.toFixed(0)} s: ${ingested.toFixed(0)} samples/s appended (all copies), ${(ingested / rf).toFixed(0)} samples/s unique (replication factor ${rf}); ` +
        `bench series through Query: ${storedPerSecond.toFixed(0)} samples/s stored, ${seriesInQuery} of ${o.sites * o.series} series`,
    );
    const meanAgent = agents.reduce((a, b) => a + b, 0) / agents.length;
    console.log(`agent memory: ${mib(Math.min(...agents))}–${mib(Math.max(...agents))} resident with ${o.series} bench series each (and the agent's own); ${(meanAgent / (o.series / 10_000)).toFixed(1)} MiB per 10 000 series, its fixed part included`);
    console.log(
      `central footprint: Receive ${central1.map((u, i) => `${federation.receives[i]!.name} ${mib(u.rssMiB)}, ${receiveCpu[i]!.toFixed(2)} CPU, ${disk[i]} MiB on disk`).join('; ')}; ` +
        `Query ${mib(usage(federation.query!).rssMiB)}, Store Gateway ${mib(usage(federation.storeGateway!).rssMiB)}`,
    );
  } finally {
    for (const s of servers) s.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench:cross-silo: ${err.message}`);
  process.exitCode = 1;
});
