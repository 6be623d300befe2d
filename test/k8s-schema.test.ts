import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { synthesize } from '../src/synth';
import { configOf } from './helpers';
import { EXTERNAL_SCRAPE_JOBS, ONBOARDED_LIST, REMOTE_WRITE_TARGETS } from './components/prometheus/variants';

const ROOT = resolve(__dirname, '..');
const VALIDATE = join(ROOT, 'scripts/validate-k8s.mjs');

const ISSUE_16 = { prometheus: { ...ONBOARDED_LIST.prometheus, ...REMOTE_WRITE_TARGETS.prometheus, ...EXTERNAL_SCRAPE_JOBS.prometheus } };

test.each([
  ['minikube', 'minikube', {}],
  ['production', 'production', {}],
  ['production with onboarded namespaces, remote_write targets and external scrape jobs', 'production', ISSUE_16],
  ['production with UI ingresses', 'production', { ingress: { enabled: true, hosts: { grafana: 'grafana.fl.example.org', prometheus: 'prometheus.fl.example.org', alertmanager: 'alerts.fl.example.org' } } }],
] as const)('every %s object validates against the Kubernetes schemas', (_name, profile, overrides) => {
  const out = join(mkdtempSync(join(tmpdir(), 'flobs-schema-')), 'dist');
  synthesize(configOf(profile, overrides), out);
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
