import { join } from 'node:path';
import { tool } from '../tools';
import { freePort, start, tempDir, waitFor, writeYaml, type Started } from './processes';

/** A rule group that always evaluates. */
export const GOOD_RULES = { name: 'good', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] };
/** Two `up` series made identical by label_replace: every evaluation fails ("same labelset"). */
export const BROKEN_RULES = { name: 'broken', rules: [{ record: 'job:dup', expr: 'label_replace(label_replace(up, "job", "x", "", ""), "instance", "x", "", "")' }] };

/**
 * A real Prometheus on loopback scraping `jobs` (job → targets; `self` is its own address) every
 * second and evaluating `groups`. Resolves once every target was scraped, every rule evaluated since,
 * and the self-scrape has two samples (so `increase()` over its counters works).
 */
export async function startPrometheus(name: string, jobs: (self: string) => Record<string, string[]>, groups: readonly unknown[]): Promise<Started> {
  const port = await freePort();
  const dir = tempDir(`prometheus-${name}`);
  const self = `127.0.0.1:${port}`;
  writeYaml(dir, 'rules.yml', { groups });
  const config = writeYaml(dir, 'prometheus.yml', {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [join(dir, 'rules.yml')],
    scrape_configs: Object.entries(jobs(self)).map(([job, targets]) => ({ job_name: job, static_configs: [{ targets }] })),
  });
  const p = await start(name, tool('prometheus'), [`--config.file=${config}`, `--web.listen-address=${self}`, `--storage.tsdb.path=${join(dir, 'data')}`], {
    port,
    readyPath: '/-/ready',
  });
  await waitFor(`${p.url}/api/v1/targets?state=active`, (r) => !r.body.includes('"health":"unknown"'), 30_000, p.output);
  // Every rule evaluated again after every target had been scraped (so it saw all their series).
  const scraped = Date.now();
  const evaluatedSince = (body: string): boolean =>
    (JSON.parse(body) as { data: { groups: { rules: { lastEvaluation: string }[] }[] } }).data.groups.every((g) => g.rules.every((r) => Date.parse(r.lastEvaluation) > scraped));
  await waitFor(`${p.url}/api/v1/rules`, (r) => r.status === 200 && evaluatedSince(r.body), 30_000, p.output);
  await waitFor(`${p.url}/api/v1/query?query=${encodeURIComponent('count_over_time(up[1m]) >= 2')}`, (r) => r.body.includes('"value"'), 30_000, p.output);
  return p;
}

/** A real VictoriaMetrics on loopback. */
export async function startVictoriaMetrics(name: string): Promise<Started> {
  const port = await freePort();
  const dir = tempDir(`victoria-metrics-${name}`);
  return start(name, tool('victoria-metrics'), [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`], { port, readyPath: '/health' });
}
