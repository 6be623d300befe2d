import { resolveConfig } from '../../src/config/loader';
import { ofComponent, synthStack } from '../helpers';

// Whole-object snapshots of what the site and central profiles add: a reviewer sees every change.
const SITE = resolveConfig({
  profile: 'site',
  overrides: { clusterName: 'hospital-a', vmagent: { remoteWrite: { url: 'https://receive.central.example.org:19291/api/v1/receive', tls: { serverName: 'receive.central.example.org' } } } },
});
const CENTRAL = resolveConfig({ profile: 'central' });

test('site: vmagent', () => {
  expect(ofComponent(synthStack(SITE), 'vmagent')).toMatchSnapshot();
});

test.each(['thanos-receive', 'thanos-query', 'thanos-store', 'thanos-compact', 'thanos-rule'])('central: %s', (name) => {
  expect(ofComponent(synthStack(CENTRAL), name)).toMatchSnapshot();
});

test('central: the Grafana datasources', () => {
  const grafana = ofComponent(synthStack(CENTRAL), 'grafana').find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'grafana-provisioning')!;
  expect(grafana.data!['datasources.yaml']).toMatchSnapshot();
});
