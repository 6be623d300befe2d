import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { synthesize } from '../src/synth';
import { configOf } from './helpers';

const ROOT = resolve(__dirname, '..');
const VALIDATE = join(ROOT, 'scripts/validate-k8s.mjs');

test.each(['minikube', 'production'] as const)('every %s object validates against the Kubernetes schemas', (profile) => {
  const out = join(mkdtempSync(join(tmpdir(), 'flobs-schema-')), 'dist');
  synthesize(configOf(profile), out);
  const stdout = execFileSync(process.execPath, [VALIDATE, out], { cwd: ROOT, encoding: 'utf8' });
  expect(stdout).toMatch(/^\d+ objects valid$/m);
});

test('the validator rejects an invalid object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-schema-'));
  writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: "two"\n  selector: {}\n  template: {}\n');
  const r = spawnSync(process.execPath, [VALIDATE, dir], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/Deployment \/x: .*replicas/);
});
