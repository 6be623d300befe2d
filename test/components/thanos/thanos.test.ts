import { parse } from 'yaml';
import { compactArgs, hashrings, queryArgs, receiveArgs } from '../../../src/components/thanos/config';
import { siteSilenceSeconds } from '../../../src/components/thanos/sites-mixin';
import { resolveConfig } from '../../../src/config/loader';
import { find, ofComponent, synthStack } from '../../helpers';

const central = resolveConfig({ profile: 'central' });
const values = { settings: central.thanos, namespace: central.namespaces.monitoring };
const objects = synthStack(central);

test('the hashring lists every Receive replica by its StatefulSet DNS name; each replica knows itself and writes each series twice', () => {
  expect(hashrings(values)).toEqual([
    {
      hashring: 'default',
      endpoints: [0, 1, 2].map((i) => `thanos-receive-${i}.thanos-receive-headless.fl-monitoring.svc:10901`),
    },
  ]);
  expect(receiveArgs(values)).toEqual(
    expect.arrayContaining([
      '--receive.local-endpoint=$(POD_NAME).thanos-receive-headless.fl-monitoring.svc:10901',
      '--receive.replication-factor=2',
      '--label=receive_replica="$(POD_NAME)"',
      '--receive.hashrings-file=/etc/thanos/hashring/hashrings.json',
    ]),
  );
});

test('Receive takes writes over mutual TLS only, the tenant from the client certificate, stored as the tenant label', () => {
  expect(receiveArgs(values)).toEqual(
    expect.arrayContaining([
      '--remote-write.address=0.0.0.0:19291',
      '--remote-write.server-tls-cert=/etc/thanos/tls/tls.crt',
      '--remote-write.server-tls-key=/etc/thanos/tls/tls.key',
      '--remote-write.server-tls-client-ca=/etc/thanos/tls/ca.crt',
      '--receive.tenant-certificate-field=commonName',
      '--receive.tenant-label-name=tenant',
      '--objstore.config-file=/etc/thanos/objstore/objstore.yml',
      '--tsdb.out-of-order.time-window=1h',
    ]),
  );
});

test('Query reads every replica and the Store Gateway and deduplicates the replicas; the Compactor applies the retention', () => {
  expect(queryArgs(values).filter((a) => a.startsWith('--endpoint=') || a.startsWith('--query.replica-label') || a.startsWith('--deduplication'))).toEqual([
    '--endpoint=thanos-receive-0.thanos-receive-headless.fl-monitoring.svc:10901',
    '--endpoint=thanos-receive-1.thanos-receive-headless.fl-monitoring.svc:10901',
    '--endpoint=thanos-receive-2.thanos-receive-headless.fl-monitoring.svc:10901',
    '--endpoint=thanos-store.fl-monitoring.svc:10901',
    '--query.replica-label=receive_replica',
    '--deduplication.func=chain',
  ]);
  expect(compactArgs(values)).toEqual(expect.arrayContaining(['--wait', '--retention.resolution-raw=30d', '--retention.resolution-5m=180d', '--retention.resolution-1h=2y', '--deduplication.replica-label=receive_replica', '--compact.enable-vertical-compaction']));
});

test('the central profile: Thanos instead of VictoriaMetrics, Receive a StatefulSet of 3 with its hashring and Secrets mounted', () => {
  expect(objects.some((o) => o.metadata.name === 'victoria-metrics')).toBe(false);
  const sts = find(objects, 'StatefulSet', 'thanos-receive');
  expect(sts.spec.replicas).toBe(3);
  const container = sts.spec.template.spec.containers[0];
  expect(container.image).toBe('quay.io/thanos/thanos:v0.42.4');
  expect(container.env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
  const volumes = Object.fromEntries(sts.spec.template.spec.volumes.map((v: any) => [v.name, v.secret?.secretName ?? v.configMap?.name ?? v.persistentVolumeClaim?.claimName]));
  expect(volumes).toEqual({ hashring: 'thanos-receive-hashring', objstore: 'thanos-objstore', tls: 'thanos-receive-tls', data: 'data' });
  expect(JSON.parse(find(objects, 'ConfigMap', 'thanos-receive-hashring').data!['hashrings.json'])).toEqual(hashrings(values));
  expect(find(objects, 'PodDisruptionBudget', 'thanos-receive').spec.maxUnavailable).toBe(1);
  expect(find(objects, 'StatefulSet', 'thanos-compact').spec.replicas).toBe(1);
});

test('Grafana gets the Thanos Query datasource; Prometheus stays the default', () => {
  const datasources = parse(find(objects, 'ConfigMap', 'grafana-provisioning').data!['datasources.yaml']).datasources;
  expect(datasources.find((d: any) => d.uid === 'thanos')).toEqual({
    name: 'Thanos',
    uid: 'thanos',
    type: 'prometheus',
    access: 'proxy',
    url: 'http://thanos-query.fl-monitoring.svc:10902',
    isDefault: false,
    editable: false,
    jsonData: { timeInterval: '30s', httpMethod: 'POST', prometheusType: 'Thanos' },
  });
  expect(datasources.map((d: any) => d.uid)).not.toContain('victoriametrics');
});

test('the Thanos flows: sites write from anywhere, replicas replicate, Query reads Receive and Store, Prometheus scrapes, Grafana and Prometheus read Query (a UI: port-forward)', () => {
  const flows = objects
    .filter((o) => o.kind === 'NetworkPolicy' && /^thanos-/.test(o.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] ?? ''))
    .flatMap((p) => p.spec.ingress.flatMap((rule: any) => rule.ports.map((port: any) => `${(rule.from ?? []).map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/name']).join(',') || '*'} -> ${p.spec.podSelector.matchLabels['app.kubernetes.io/name']}:${port.port}`)))
    .sort();
  expect(flows).toEqual([
    '* -> thanos-receive:19291',
    'prometheus -> thanos-compact:10902',
    'prometheus -> thanos-receive:10902',
    'prometheus -> thanos-rule:10902',
    'prometheus -> thanos-store:10902',
    'prometheus,grafana -> thanos-query:10902',
    'thanos-query -> thanos-store:10901',
    'thanos-receive,thanos-query -> thanos-receive:10901',
  ]);
});

test('every Thanos pod is scraped and probed on its HTTP port', () => {
  for (const name of ['thanos-receive', 'thanos-query', 'thanos-store', 'thanos-compact']) {
    const workload = ofComponent(objects, name).find((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment')!;
    const container = workload.spec.template.spec.containers[0];
    expect([name, workload.spec.template.metadata.annotations['prometheus.io/port'], container.readinessProbe.httpGet.path, container.livenessProbe.httpGet.path]).toEqual([name, '10902', '/-/ready', '/-/healthy']);
  }
});

test('Thanos Rule evaluates the federation rules over Query and alerts to Alertmanager; Prometheus does not load them', () => {
  const rule = find(objects, 'StatefulSet', 'thanos-rule').spec.template.spec.containers[0];
  expect(rule.args).toEqual([
    'rule',
    '--http-address=0.0.0.0:10902',
    '--grpc-address=0.0.0.0:10901',
    '--log.format=json',
    '--data-dir=/var/thanos/data',
    '--rule-file=/etc/thanos/rules/*.yaml',
    '--query=thanos-query.fl-monitoring.svc:10902',
    '--alertmanagers.url=http://alertmanager.fl-monitoring.svc:9093',
    '--eval-interval=30s',
    '--label=rule_replica="$(POD_NAME)"',
    '--alert.label-drop=rule_replica',
  ]);
  expect(Object.keys(find(objects, 'ConfigMap', 'thanos-rule-rules').data!)).toEqual(['sites.rules.yaml']);
  expect(Object.keys(find(objects, 'ConfigMap', 'prometheus-rules').data!)).not.toContain('sites.rules.yaml');
  expect(Object.keys(find(objects, 'ConfigMap', 'prometheus-rules').data!)).toContain('thanos.rules.yaml');
});

test('a site counts as stopped after its agent\'s longest retry wait plus two scrape intervals', () => {
  expect(siteSilenceSeconds('30s')).toBe(90);
  expect(siteSilenceSeconds('2s')).toBe(34);
  expect(find(objects, 'ConfigMap', 'thanos-rule-rules').data!['sites.rules.yaml']).toContain('unless group by (site) (max_over_time(up{job="vmagent"}[90s]))');
});
