import { alertmanagerConfig, BLACKHOLE, receiverSecretNames } from '../../../src/components/alertmanager/config';
import { resolveConfig } from '../../../src/config/loader';
import { configOf, find, synthStack } from '../../helpers';

test('routes the Watchdog and meta alerts first, then by severity, grouped by alertname and namespace, critical inhibits warning', () => {
  const c = alertmanagerConfig(resolveConfig({ profile: 'production' }));
  expect(c.route.group_by).toEqual(['alertname', 'namespace']);
  expect(c.route.routes!.map((r) => [r.matchers![0], r.receiver])).toEqual([
    ['alertname="Watchdog"', BLACKHOLE],
    ['severity="none"', BLACKHOLE],
    ['severity="critical"', 'oncall'],
    ['severity="warning"', 'oncall'],
    ['severity="info"', BLACKHOLE],
  ]);
  expect(c.inhibit_rules[0]).toEqual({ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] });
});

test('receiver secrets are read from mounted files, never inline', () => {
  const config = resolveConfig({ profile: 'production' });
  expect(alertmanagerConfig(config).receivers[1]).toEqual({ name: 'oncall', webhook_configs: [{ url_file: '/etc/alertmanager/secrets/alertmanager-receivers/oncall-webhook-url', send_resolved: true }] });
  expect(receiverSecretNames(config.alertmanager.receivers)).toEqual(['alertmanager-receivers']);
  const sts = find(synthStack(configOf('production')), 'StatefulSet', 'alertmanager');
  expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'secret-alertmanager-receivers', secret: { secretName: 'alertmanager-receivers' } });
});

test('replicas > 1 form a cluster through the headless Service', () => {
  const args: string[] = find(synthStack(configOf('production')), 'StatefulSet', 'alertmanager').spec.template.spec.containers[0].args;
  expect(args.filter((a) => a.startsWith('--cluster.peer='))).toEqual([0, 1, 2].map((i) => `--cluster.peer=alertmanager-${i}.alertmanager-headless.fl-monitoring.svc:9094`));
  expect(find(synthStack(), 'StatefulSet', 'alertmanager').spec.template.spec.containers[0].args).toContain('--cluster.listen-address=');
});

test('the Watchdog goes to the dead man\'s switch every minute; team routes come before the severity routes', () => {
  const c = alertmanagerConfig(
    resolveConfig({
      profile: 'production',
      overrides: { alertmanager: { deadMansSwitch: 'oncall', teamRoutes: [{ team: 'ml', receiver: 'oncall' }] } },
    }),
  );
  expect(c.route.routes![0]).toEqual({ receiver: 'oncall', matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '1m' });
  expect(c.route.routes![2]).toEqual({ receiver: 'oncall', matchers: ['team="ml"'] });
});

test('InfoInhibitor mutes info alerts of its namespace; ServiceDown mutes the component\'s own down alert of the same pod', () => {
  const c = alertmanagerConfig(resolveConfig());
  expect(c.inhibit_rules).toContainEqual({ source_matchers: ['alertname="InfoInhibitor"'], target_matchers: ['severity="info"'], equal: ['namespace'] });
  expect(c.inhibit_rules).toContainEqual({ source_matchers: ['alertname="ServiceDown"'], target_matchers: ['symptom="target_down"'], equal: ['namespace', 'pod'] });
});

test('PagerDuty, Opsgenie and Teams read their credentials from Secret files', () => {
  const config = resolveConfig({
    overrides: {
      alertmanager: {
        receivers: [
          { name: 'pd', type: 'pagerduty', routingKey: { name: 'am', key: 'pd-key' } },
          { name: 'og', type: 'opsgenie', apiKey: { name: 'am', key: 'og-key' } },
          { name: 'teams', type: 'msteams', webhookUrl: { name: 'teams-secret', key: 'url' } },
        ],
      },
    },
  });
  const receivers = alertmanagerConfig(config).receivers;
  expect(receivers[1].pagerduty_configs![0].routing_key_file).toBe('/etc/alertmanager/secrets/am/pd-key');
  expect(receivers[2].opsgenie_configs![0].api_key_file).toBe('/etc/alertmanager/secrets/am/og-key');
  expect(receivers[3].msteamsv2_configs![0].webhook_url_file).toBe('/etc/alertmanager/secrets/teams-secret/url');
  expect(receiverSecretNames(config.alertmanager.receivers)).toEqual(['am', 'teams-secret']);
});
