import { alertmanagerConfig, BLACKHOLE, receiverSecretNames } from '../../../src/components/alertmanager/config';
import { resolveConfig } from '../../../src/config/loader';
import { configOf, find, synthStack } from '../../helpers';

test('routes by severity, grouped by alertname and namespace, critical inhibits warning', () => {
  const c = alertmanagerConfig(resolveConfig({ profile: 'production' }));
  expect(c.route.group_by).toEqual(['alertname', 'namespace']);
  expect(c.route.routes!.map((r) => [r.matchers![0], r.receiver])).toEqual([
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
