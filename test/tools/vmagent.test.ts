import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/loader';
import { find, synthStack } from '../helpers';
import { tempDir } from '../health/processes';
import { tool } from '../tools';

const dir = tempDir('vmagent-dry-run');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `vmagent -dryRun` on a scrape config file: its status and output. */
function dryRun(text: string): { status: number | null; output: string } {
  const file = join(dir, 'scrape.yml');
  writeFileSync(file, text);
  const r = spawnSync(tool('vmagent'), ['-dryRun', `-promscrape.config=${file}`, '-promscrape.config.strictParse=true'], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('vmagent -dryRun accepts the generated site scrape config (strict parsing: no field it would ignore)', () => {
  const config = resolveConfig({ profile: 'site', overrides: { vmagent: { remoteWrite: { url: 'https://receive.central.example.org/api/v1/receive' } } } });
  const text = find(synthStack(config), 'ConfigMap', 'vmagent-config').data!['scrape.yml'] as string;
  const r = dryRun(text);
  expect(r).toEqual({ status: 0, output: expect.any(String) });
});

test('vmagent -dryRun refuses a broken scrape config (the check can fail)', () => {
  const r = dryRun('global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: x\n    no_such_field: true\n');
  expect(r.status).not.toBe(0);
  expect(r.output).toMatch(/no_such_field/);
});
