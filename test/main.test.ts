import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../src/config/loader';
import { synthesize } from '../src/synth';
import { readTree } from './helpers';

const ROOT = resolve(__dirname, '..');

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT });
});

function runMain(env: Record<string, string>, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'lib/main.js')], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the entry point synthesizes dist/ in the working directory', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'flobs-main-'));
  const r = runMain({}, cwd);
  expect(r.status).toBe(0);
  expect(readdirSync(join(cwd, 'dist'))).toContain('20-prometheus.k8s.yaml');
});

test('bad config: exit 2, the field and value named, an existing dist/ left untouched', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'flobs-main-'));
  expect(runMain({}, cwd).status).toBe(0);
  const before = readFileSync(join(cwd, 'dist/20-prometheus.k8s.yaml'), 'utf8');
  const file = join(cwd, 'bad.yaml');
  writeFileSync(file, 'fl:\n  numClients: 0\n');
  const r = runMain({ STACK_CONFIG: file, STACK_PROFILE: 'production' }, cwd);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('fl.numClients: Too small: expected number to be >=1 (got 0)');
  expect(r.stderr).toContain('nothing was written');
  expect(readFileSync(join(cwd, 'dist/20-prometheus.k8s.yaml'), 'utf8')).toBe(before);
});

test('CDK8S_OUTDIR, as the cdk8s CLI sets it, picks the output directory', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'flobs-main-'));
  expect(runMain({ CDK8S_OUTDIR: 'out' }, cwd).status).toBe(0);
  expect(readdirSync(join(cwd, 'out')).length).toBeGreaterThan(5);
});


test('the bundle, its startup snapshot and `cdk8s synth` write byte for byte what synthesize() writes', () => {
  // The bundle is minified and the snapshot holds state from its warm-up synths: neither may change a
  // byte. scripts/synth.sh (what `npm run synth` and `cdk8s synth` run) builds the snapshot with the
  // pinned node and runs it.
  const root = mkdtempSync(join(tmpdir(), 'flobs-entry-'));
  for (const profile of ['minikube', 'production']) {
    synthesize(resolveConfig({ profile }), join(root, profile, 'expected'));
    const expected = readTree(join(root, profile, 'expected'));
    const runs: Record<string, string[]> = {
      'node lib/main.js': [join(ROOT, 'lib/main.js')],
      'scripts/synth.sh': [join(ROOT, 'scripts/synth.sh')],
      ...(profile === 'minikube' ? { 'cdk8s synth': [join(ROOT, 'node_modules/cdk8s-cli/bin/cdk8s'), 'synth', '--no-check-upgrade', '--output', join(root, profile, 'cdk8s synth')] } : {}),
    };
    for (const [name, args] of Object.entries(runs)) {
      const env = { PATH: process.env.PATH ?? '', STACK_PROFILE: profile, CDK8S_OUTDIR: join(root, profile, name) };
      const r = spawnSync(name === 'scripts/synth.sh' ? 'bash' : process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
      expect({ profile, name, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ profile, name, status: 0, stderr: '' });
      expect(readTree(join(root, profile, name))).toEqual(expected);
    }
  }
  // The snapshot was written (scripts/synth.sh ran it, not the plain bundle).
  expect(readFileSync(join(ROOT, 'lib/.snapshot-node'), 'utf8')).toMatch(/\nwritten\n$/);
  expect(existsSync(join(ROOT, 'lib/main.blob'))).toBe(true);
});

