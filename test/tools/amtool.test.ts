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
        { name: 'pd', type: 'pagerduty', routingKey: { name: 'am-secrets', key: 'pagerduty-routing-key' } },
        { name: 'og', type: 'opsgenie', apiKey: { name: 'am-secrets', key: 'opsgenie-api-key' } },
        { name: 'teams', type: 'msteams', webhookUrl: { name: 'am-secrets', key: 'teams-webhook-url' } },
        { name: 'dms', type: 'webhook', url: { name: 'am-secrets', key: 'dead-mans-switch-url' } },
      ],
      routes: { critical: 'pager', warning: 'chat', info: 'mail' },
      teamRoutes: [
        { team: 'ml-research', receiver: 'pd' },
        { team: 'platform', receiver: 'og' },
        { team: 'data', receiver: 'teams' },
      ],
      deadMansSwitch: 'dms',
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
  ['severity=critical team=ml-research', 'pd'],
  ['severity=warning team=platform', 'og'],
  ['severity=info team=data', 'teams'],
  ['severity=critical team=unknown', 'pager'],
  ['alertname=Watchdog severity=none', 'dms'],
  ['alertname=InfoInhibitor severity=none', 'blackhole'],
])('amtool config routes test: %s reaches %s', (labels, receiver) => {
  const r = spawnSync(tool('amtool'), ['config', 'routes', 'test', `--config.file=${writeConfig(withReceivers)}`, `--verify.receivers=${receiver}`, 'alertname=X', ...labels.split(' ')], { encoding: 'utf8' });
  expect(r.stdout.trim()).toBe(receiver);
  expect(r.status).toBe(0);
});

test.each(['minikube', 'production'] as const)('amtool config routes test (%s): with no dead man\'s switch configured the Watchdog reaches the null receiver', (profile) => {
  const r = spawnSync(tool('amtool'), ['config', 'routes', 'test', `--config.file=${writeConfig(resolveConfig({ profile }))}`, '--verify.receivers=blackhole', 'alertname=Watchdog', 'severity=none'], { encoding: 'utf8' });
  expect(r.stdout.trim()).toBe('blackhole');
  expect(r.status).toBe(0);
});

test('amtool config routes test fails when the receiver differs (the check can fail)', () => {
  const r = spawnSync(tool('amtool'), ['config', 'routes', 'test', `--config.file=${writeConfig(withReceivers)}`, '--verify.receivers=pager', 'severity=warning'], { encoding: 'utf8' });
  expect(r.status).not.toBe(0);
});

test.each([
  ['SiteStoppedSending', 'warning'],
  ['SiteDroppingData', 'critical'],
])('amtool config routes test (central): the federation alert %s (from Thanos Rule, with its site) reaches the on-call receiver', (alertname, severity) => {
  const central = resolveConfig({ profile: 'central' });
  const r = spawnSync(tool('amtool'), ['config', 'routes', 'test', `--config.file=${writeConfig(central)}`, '--verify.receivers=oncall', `alertname=${alertname}`, `severity=${severity}`, 'site=hospital-a'], { encoding: 'utf8' });
  expect(r.stdout.trim()).toBe('oncall');
  expect(r.status).toBe(0);
});
