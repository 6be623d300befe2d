import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { alertmanagerConfig } from '../../src/components/alertmanager/config';
import { resolveConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import { tool } from '../tools';

function writeConfig(config: StackConfig): string {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-amtool-'));
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, stringify(alertmanagerConfig(config), { lineWidth: 0 }));
  return file;
}

const withReceivers = resolveConfig({
  overrides: {
    alertmanager: {
      receivers: [
        { name: 'pager', type: 'webhook', url: { name: 'am-secrets', key: 'pager-url' } },
        { name: 'chat', type: 'slack', channel: '#fl-alerts', apiUrl: { name: 'am-secrets', key: 'slack-url' } },
        { name: 'mail', type: 'email', to: 'team@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587', authUsername: 'am', authPassword: { name: 'am-secrets', key: 'smtp' } },
      ],
      routes: { critical: 'pager', warning: 'chat', info: 'mail' },
    },
  },
});

test.each([
  ['minikube', resolveConfig({ profile: 'minikube' })],
  ['production', resolveConfig({ profile: 'production' })],
  ['all receiver types', withReceivers],
])('amtool check-config accepts the generated alertmanager.yml (%s)', (_name, config) => {
  const r = spawnSync(tool('amtool'), ['check-config', writeConfig(config)], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toContain('SUCCESS');
  expect(r.status).toBe(0);
});

test.each([
  ['severity=critical', 'pager'],
  ['severity=warning', 'chat'],
  ['severity=info', 'mail'],
  ['alertname=Watchdog', 'blackhole'],
])('amtool config routes test: %s reaches %s', (labels, receiver) => {
  const r = spawnSync(tool('amtool'), ['config', 'routes', 'test', `--config.file=${writeConfig(withReceivers)}`, `--verify.receivers=${receiver}`, 'alertname=X', labels], { encoding: 'utf8' });
  expect(r.stdout.trim()).toBe(receiver);
  expect(r.status).toBe(0);
});

test('amtool config routes test fails when the receiver differs (the check can fail)', () => {
  const r = spawnSync(tool('amtool'), ['config', 'routes', 'test', `--config.file=${writeConfig(withReceivers)}`, '--verify.receivers=pager', 'severity=warning'], { encoding: 'utf8' });
  expect(r.status).not.toBe(0);
});
