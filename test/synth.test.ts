import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../src/synth';
import { configOf, readTree } from './helpers';


test('two synths of the same config are byte-identical', () => {
  const root = mkdtempSync(join(tmpdir(), 'flobs-synth-'));
  synthesize(configOf('production'), join(root, 'a'));
  synthesize(configOf('production'), join(root, 'b'));
  const a = readTree(join(root, 'a'));
  expect(Object.keys(a).length).toBeGreaterThan(10);
  expect(readTree(join(root, 'b'))).toEqual(a);
});

test('synth replaces the output directory and prints a summary', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'flobs-synth-')), 'dist');
  mkdirSync(out);
  writeFileSync(join(out, 'stale.k8s.yaml'), 'stale');
  const summary = synthesize(configOf(), out);
  expect(readdirSync(out)).not.toContain('stale.k8s.yaml');
  expect(readdirSync(out).sort()[0]).toBe('00-namespaces.k8s.yaml');
  expect(summary).toMatch(/^synthesized profile 'minikube' into .*: \d+ objects$/m);
  expect(summary).toMatch(/^requests, stack \(DaemonSets for one node\): 0\.\d\d CPU, 1\.\d\d GiB$/m);
  // Promtail (end-of-life) is no longer deployed by default, so synth has nothing to warn about it.
  expect(summary).not.toMatch(/^warning: promtail/m);
  expect(summary).toContain('  quay.io/prometheus/prometheus:v3.16.0');
});

test('an output directory that already holds exactly the output is not rewritten; any difference is', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'flobs-synth-')), 'dist');
  const first = synthesize(configOf(), out);
  const files = readdirSync(out).sort();
  const tree = readTree(out);
  const old = new Date('2020-01-01T00:00:00Z');
  for (const f of files) utimesSync(join(out, f), old, old);
  expect(synthesize(configOf(), out)).toBe(first);
  expect(files.map((f) => statSync(join(out, f)).mtimeMs)).toEqual(files.map(() => old.getTime()));
  // One byte changed, one file added, one removed: each makes synth write the directory anew.
  const edits: ((dir: string) => void)[] = [
    (dir) => writeFileSync(join(dir, files[3]), `${readFileSync(join(dir, files[3]), 'utf8')} `),
    (dir) => writeFileSync(join(dir, 'extra.k8s.yaml'), ''),
    (dir) => rmSync(join(dir, files[0])),
  ];
  for (const edit of edits) {
    edit(out);
    synthesize(configOf(), out);
    expect(readTree(out)).toEqual(tree);
    expect(statSync(join(out, files[5])).mtimeMs).toBeGreaterThan(old.getTime());
    for (const f of files) utimesSync(join(out, f), old, old);
  }
});

test('with Promtail selected as the node agent, synth warns that it reached end-of-life', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'flobs-synth-')), 'dist');
  const summary = synthesize(configOf('minikube', { promtail: { enabled: true }, otelCollector: { enabled: false } }), out);
  expect(summary).toMatch(/^warning: promtail reached end-of-life/m);
});
