import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const GENERATED = 'monitoring.coreos.com.ts';

test(`src/imports/${GENERATED} is what \`npm run import\` generates from crds/prometheus-operator/ (run it when stale)`, () => {
  const out = mkdtempSync(join(tmpdir(), 'flobs-import-'));
  const cdk8sYaml = readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8');
  try {
    const r = spawnSync('bash', [join(ROOT, 'scripts/import-crds.sh'), out], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr.replace(/^Importing resources.*\n/m, '')).toBe('');
    expect(r.status).toBe(0);
    const fresh = readFileSync(join(out, GENERATED), 'utf8');
    expect(fresh).toContain('export class PodMonitor extends ApiObject');
    expect(fresh).toContain('export class PrometheusRule extends ApiObject');
    expect(readFileSync(join(ROOT, 'src/imports', GENERATED), 'utf8')).toBe(fresh);
    // cdk8s import records its imports in the cdk8s.yaml of its directory: not in ours.
    expect(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')).toBe(cdk8sYaml);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
