import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { lokiConfig } from '../../src/components/loki/config';
import { promtailConfig } from '../../src/components/promtail/config';
import { topologyOf } from '../../src/common/topology';
import { resolveConfig } from '../../src/config/loader';
import { tool } from '../tools';

function write(name: string, content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'flobs-loki-')), name);
  writeFileSync(file, stringify(content, { lineWidth: 0 }));
  return file;
}

test.each(['minikube', 'production'] as const)('loki -verify-config accepts the generated loki.yaml (%s)', (profile) => {
  const r = spawnSync(tool('loki'), [`-config.file=${write('loki.yaml', lokiConfig(resolveConfig({ profile })))}`, '-verify-config'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout + r.stderr).toContain('config is valid');
  expect(r.status).toBe(0);
});

test('loki -verify-config refuses retention without a delete request store (the check can fail)', () => {
  const config = lokiConfig(resolveConfig()) as { compactor: Record<string, unknown> };
  const { delete_request_store: _dropped, ...compactor } = config.compactor;
  const r = spawnSync(tool('loki'), [`-config.file=${write('loki.yaml', { ...config, compactor })}`, '-verify-config'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).not.toBe(0);
});

test.each([
  ['minikube', resolveConfig()],
  ['fluentd off', resolveConfig({ overrides: { fluentd: { enabled: false } } })],
])('promtail -check-syntax accepts the generated promtail.yaml (%s)', (_name, config) => {
  const file = write('promtail.yaml', promtailConfig(config, topologyOf(config)));
  const r = spawnSync(tool('promtail'), [`-config.file=${file}`, '-config.expand-env=true', '-check-syntax'], { encoding: 'utf8', env: { ...process.env, HOSTNAME: 'node-1' }, timeout: 60_000 });
  expect(r.stdout + r.stderr).toContain('Valid config file');
  expect(r.status).toBe(0);
});

test('vmalert -dryRun accepts every committed rule file (VictoriaMetrics can evaluate them too)', () => {
  const r = spawnSync(tool('vmalert'), ['-dryRun', `-rule=${resolve(__dirname, '../../rules')}/*.rules.yaml`], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout + r.stderr).toMatch(/found \d+ files to read/);
  expect(r.status).toBe(0);
});
