import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ComponentName } from '../src/common/names';
import { resolveConfig } from '../src/config/loader';
import type { StackConfig } from '../src/config/schema';
import { synthesize } from '../src/synth';
import { podTemplates, synthStack } from './helpers';

const ROOT = resolve(__dirname, '..');
const PROFILES: Readonly<Record<string, StackConfig>> = {
  site: resolveConfig({ profile: 'site', overrides: { vmagent: { remoteWrite: { url: 'https://receive.central.example.org:19291/api/v1/receive' } } } }),
  central: resolveConfig({ profile: 'central' }),
};

describe.each(Object.keys(PROFILES))('profile %s', (profile) => {
  const config = PROFILES[profile];
  const objects = synthStack(config);
  const templates = podTemplates(objects);

  test('every object validates against the Kubernetes schemas', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'flobs-schema-')), 'dist');
    synthesize(config, out);
    expect(execFileSync(process.execPath, [join(ROOT, 'scripts/validate-k8s.mjs'), out], { cwd: ROOT, encoding: 'utf8' })).toMatch(/^\d+ objects valid$/m);
  });

  test('every object carries the recommended labels of a known component', () => {
    for (const o of objects.filter((x) => x.kind !== 'Namespace' && x.kind !== 'NetworkPolicy')) {
      expect(Object.values(ComponentName)).toContain(o.metadata.labels?.['app.kubernetes.io/name']);
    }
  });

  test('every container: requests and limits, probes, a pinned image, restricted security', () => {
    for (const { owner, spec } of templates.filter((t) => t.owner.metadata.namespace !== config.namespaces.agents)) {
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      for (const c of spec.containers) {
        const where = `${owner.metadata.name}/${c.name}`;
        expect({ where, ok: [c.resources.requests.cpu, c.resources.limits.memory, c.readinessProbe, c.livenessProbe].every((v) => v !== undefined) }).toEqual({ where, ok: true });
        expect({ where, image: c.image }).toEqual({ where, image: expect.stringMatching(/:(?!latest$)[A-Za-z0-9_.-]+$/) });
        const sc = c.securityContext;
        expect({ where, sc: [sc.readOnlyRootFilesystem, sc.allowPrivilegeEscalation, sc.capabilities.drop] }).toEqual({ where, sc: [true, false, ['ALL']] });
      }
    }
  });

  test('RBAC is read-only and never touches Secrets; no Secret is synthesized', () => {
    for (const role of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
      for (const rule of role.rules ?? []) {
        expect(rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
        expect(rule.resources ?? []).not.toContain('secrets');
      }
    }
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});
