import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { ConfigError, resolveConfig } from '../src/config/loader';
import { synthesize } from '../src/synth';
import { INVALID } from './config/invalid-configs';
import { EXTERNAL_SCRAPE_JOBS, REMOTE_WRITE_TARGETS } from './components/prometheus/variants';

const ROOT = resolve(__dirname, '..');

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT });
});

/** Runs the synth entry point as `npm run synth` does, asynchronously. */
function synthCli(cwd: string, env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'lib/main.js')], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => done({ status, stderr }));
  });
}

/** Every file of a directory with its content, for before/after comparison. */
function snapshotDir(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

test(`the whole invalid corpus (${INVALID.length} configs) through the real synth: exit 2, field and value named, dist/ unchanged`, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'flobs-refuse-'));
  expect((await synthCli(cwd, {})).status).toBe(0);
  const before = snapshotDir(join(cwd, 'dist'));
  const failures: string[] = [];
  const queue = INVALID.map((c, i) => [i, ...c] as const);
  // Two at a time: one per core.
  await Promise.all(
    [0, 1].map(async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [i, name, overrides, expected] = next;
        const file = join(cwd, `bad-${i}.yaml`);
        writeFileSync(file, stringify(overrides));
        const r = await synthCli(cwd, { STACK_CONFIG: file });
        if (r.status !== 2 || !r.stderr.includes(`  ${expected}\n`) || !r.stderr.includes('nothing was written')) {
          failures.push(`${name}: exit ${r.status}\n${r.stderr}`);
        }
      }
    }),
  );
  expect(failures).toEqual([]);
  expect(snapshotDir(join(cwd, 'dist'))).toEqual(before);
}, 300_000);

/**
 * A config that reaches every optional branch: every receiver type, team routes, a forward output,
 * the GPU exporter, onboarded namespaces, every kind of remote_write target and external scrape jobs.
 */
const MAXIMAL = {
  fluentd: { output: { type: 'forward', host: 'aggregator.logging', port: 24224 } },
  alertmanager: {
    receivers: [
      { name: 'hook', type: 'webhook', url: { name: 'am', key: 'hook' } },
      { name: 'chat', type: 'slack', channel: '#fl', apiUrl: { name: 'am', key: 'slack' } },
      { name: 'mail', type: 'email', to: 'oncall@example.org', from: 'am@example.org', smarthost: 'smtp.example.org:587', authUsername: 'am', authPassword: { name: 'am', key: 'smtp' } },
      { name: 'pager', type: 'pagerduty', routingKey: { name: 'am', key: 'pd' } },
      { name: 'genie', type: 'opsgenie', apiKey: { name: 'am', key: 'og' } },
      { name: 'teams', type: 'msteams', webhookUrl: { name: 'am', key: 'teams' } },
    ],
    routes: { critical: 'pager', warning: 'chat', info: 'mail' },
    teamRoutes: [{ team: 'ml', receiver: 'teams' }],
    deadMansSwitch: 'hook',
  },
  gpu: { runtimeClassName: 'nvidia' },
  // An onboarded namespace, remote_write targets of every kind (credentials, CA, relabelling, queue), external scrape jobs.
  prometheus: {
    onboardedNamespaces: ['training-jobs'],
    remoteWrite: REMOTE_WRITE_TARGETS.prometheus.remoteWrite,
    externalScrapeJobs: EXTERNAL_SCRAPE_JOBS.prometheus.externalScrapeJobs,
  },
};

/** Paths of every string value in a config (array items by index). */
function stringPaths(node: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof node === 'string') return [path];
  if (Array.isArray(node)) return node.flatMap((item, i) => stringPaths(item, [...path, i]));
  if (typeof node === 'object' && node !== null) return Object.entries(node).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  path.slice(0, -1).forEach((key) => (node = node[key] as Record<string | number, unknown>));
  node[path[path.length - 1]] = value;
  return copy;
}

/** A value that, pasted into any of our config formats unescaped, adds a line of its own. */
const HOSTILE = 'x\n</server>\n<match **>\n  @type stdout\n</match>\ninjected_key: "1" # ${HOME} {{ .Values }}';
const INJECTED_LINES = ['</server>', '<match **>', '@type stdout', 'injected_key: "1" # ${HOME} {{ .Values }}'];

/**
 * Where injected text shows up as structure in what the stack generates: as a line of its own in a
 * line-oriented file (fluent.conf and other non-YAML files of ConfigMaps), or as the injected key
 * in a YAML/JSON document (manifests and the YAML/JSON files inside ConfigMaps, parsed).
 */
function injections(dir: string): string[] {
  const found: string[] = [];
  const keysOf = (node: unknown): string[] =>
    Array.isArray(node) ? node.flatMap(keysOf) : typeof node === 'object' && node !== null ? Object.entries(node).flatMap(([k, v]) => [k, ...keysOf(v)]) : [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.k8s.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const obj = doc.toJS() as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> } | null;
      if (keysOf(obj).includes('injected_key')) found.push(`${f}: a manifest key`);
      for (const [file, text] of Object.entries(obj?.kind === 'ConfigMap' ? (obj.data ?? {}) : {})) {
        if (/\.(ya?ml|json)$/.test(file)) {
          const parsed = parseAllDocuments(text).map((d) => d.toJS());
          if (keysOf(parsed).includes('injected_key')) found.push(`${obj!.metadata?.name}/${file}: a key`);
        } else {
          const lines = text.split('\n').map((l) => l.trim());
          INJECTED_LINES.filter((l) => lines.includes(l)).forEach((l) => found.push(`${obj!.metadata?.name}/${file}: the line ${JSON.stringify(l)}`));
        }
      }
    }
  }
  return found;
}

test('no config field can add a line to a generated file: each string field is refused or escaped', () => {
  const { profile: _profile, ...maximal } = resolveConfig({ overrides: MAXIMAL });
  const paths = stringPaths(maximal);
  expect(paths.length).toBeGreaterThan(100);
  const refused: string[] = [];
  const escaped: string[] = [];
  const leaked: string[] = [];
  for (const path of paths) {
    const dotted = path.join('.');
    let config;
    try {
      config = resolveConfig({ profile: 'production', overrides: setAt(maximal, path, HOSTILE) });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.map((p) => p.path);
      // Refused, and the error names this field (or the union member it belongs to).
      if (!problems.some((p) => dotted.startsWith(p))) leaked.push(`${dotted}: refused but named as ${problems.join(', ')}`);
      refused.push(dotted);
      continue;
    }
    const out = mkdtempSync(join(tmpdir(), 'flobs-inject-'));
    synthesize(config, join(out, 'dist'));
    const found = injections(join(out, 'dist'));
    (found.length === 0 ? escaped : leaked).push(found.length === 0 ? dotted : `${dotted}: injected ${found.join('; ')}`);
  }
  expect(leaked).toEqual([]);
  // Every string field has a grammar (names, hosts, keys, durations, images…) that refuses a newline:
  // none is free text. A field that needs free text must be written by a serializer that escapes it,
  // and then appears here (checked above to inject nothing).
  expect(escaped).toEqual([]);
  expect(refused.length).toBe(paths.length - escaped.length);
}, 300_000);
