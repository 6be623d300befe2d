import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
