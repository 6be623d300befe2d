import { cluster, minikubeFixture, productionFixture } from './fixtures';
import { containerOf } from './pods';
import { localAlertmanagerConfig } from './programs';
import { expandEnvReferences, localAddress, localArgs, localPath, serviceAddresses, substituteUrl, type LocalTransform } from './relocate';

test('Service addresses map to the local process behind them; other strings stay; unknown Services are errors', () => {
  const addresses = serviceAddresses(cluster);
  expect(localAddress('http://alertmanager.fl-monitoring.svc:9093/api/v2', addresses, 'x')).toBe('http://127.0.0.1:42000/api/v2');
  expect(localAddress('alertmanager.fl-monitoring.svc.cluster.local:9093', addresses, 'x')).toBe('127.0.0.1:42000');
  expect(localAddress('https://example.com:443/x', addresses, 'x')).toBe('https://example.com:443/x');
  expect(localAddress('$1:$2', addresses, 'x')).toBe('$1:$2');
  expect(() => localAddress('http://loki.fl-monitoring.svc:3100/push', addresses, 'otel-collector config exporters.otlp_http.endpoint')).toThrow(
    'otel-collector config exporters.otlp_http.endpoint: http://loki.fl-monitoring.svc:3100/push names a Service that does not run locally (known: alertmanager.fl-monitoring.svc:9093)',
  );
});

test('URL substitutions: a stand-in takes an in-cluster URL prefix at path boundaries only, the longest first', () => {
  const subs = [
    { from: 'http://loki.fl-monitoring.svc:3100/otlp', to: 'http://127.0.0.1:41000/insert/opentelemetry', why: 'Loki is not run here' },
    { from: 'http://loki.fl-monitoring.svc:3100', to: 'http://127.0.0.1:41000/insert', why: 'Loki is not run here' },
  ];
  expect(substituteUrl('http://loki.fl-monitoring.svc:3100/otlp', subs)).toBe('http://127.0.0.1:41000/insert/opentelemetry');
  expect(substituteUrl('http://loki.fl-monitoring.svc:3100/otlp/v1/logs', subs)).toBe('http://127.0.0.1:41000/insert/opentelemetry/v1/logs');
  expect(substituteUrl('http://loki.fl-monitoring.svc:3100/loki/api/v1/push', subs)).toBe('http://127.0.0.1:41000/insert/loki/api/v1/push');
  // /otlpx is not under /otlp: only the shorter prefix applies. Another port or Service: unchanged.
  expect(substituteUrl('http://loki.fl-monitoring.svc:3100/otlpx', subs)).toBe('http://127.0.0.1:41000/insert/otlpx');
  expect(substituteUrl('http://loki.fl-monitoring.svc:31000/otlp', subs)).toBe('http://loki.fl-monitoring.svc:31000/otlp');
  expect(substituteUrl('http://lokis.fl-monitoring.svc:3100/otlp', subs)).toBe('http://lokis.fl-monitoring.svc:3100/otlp');
  expect(substituteUrl('/var/log/pods', subs)).toBe('/var/log/pods');
  // Without a substitution, a Service that does not run locally stays an error naming it.
  const t: LocalTransform = { cluster: { pods: [], services: [] }, mounts: [] };
  expect(() => localAlertmanagerConfig({ url: 'http://loki.fl-monitoring.svc:3100/otlp' }, t)).toThrow('alertmanager.yml url: http://loki.fl-monitoring.svc:3100/otlp names a Service that does not run locally');
  expect(localAlertmanagerConfig({ url: 'http://loki.fl-monitoring.svc:3100/otlp' }, { ...t, substitutions: subs })).toEqual({ url: 'http://127.0.0.1:41000/insert/opentelemetry' });
  expect(localArgs(['-push=http://loki.fl-monitoring.svc:3100/loki/api/v1/push'], { ...t, substitutions: subs }, {}, 'args')).toEqual(['-push=http://127.0.0.1:41000/insert/loki/api/v1/push']);
});

test('paths move under the longest matching mount, at path boundaries only', () => {
  const mounts = [
    { path: '/etc/prometheus', localPath: '/tmp/a' },
    { path: '/etc/prometheus/rules', localPath: '/tmp/rules' },
    { path: '/prometheus', localPath: '/tmp/data' },
  ];
  expect(localPath('/etc/prometheus/rules/*.yaml', mounts)).toBe('/tmp/rules/*.yaml');
  expect(localPath('/etc/prometheus/prometheus.yml', mounts)).toBe('/tmp/a/prometheus.yml');
  expect(localPath('/prometheus', mounts)).toBe('/tmp/data');
  expect(localPath('/prometheus-other', mounts)).toBe('/prometheus-other');
  expect(localPath('/metrics', mounts)).toBe('/metrics');
  // A file in a URI (MLflow's SQLite backend store) moves with its directory; other URIs stay.
  expect(localPath('sqlite:////prometheus/mlflow.db', mounts)).toBe('sqlite:////tmp/data/mlflow.db');
  expect(localPath('file:///prometheus/x', mounts)).toBe('file:///tmp/data/x');
  expect(localPath('sqlite:////other/mlflow.db', mounts)).toBe('sqlite:////other/mlflow.db');
  expect(localPath('s3://bucket/prometheus', mounts)).toBe('s3://bucket/prometheus');
});

// ---------------------------------------------------------------------------------------------
// On the configs the stack really generates.

const { objects, localCluster, transformFor } = minikubeFixture();

test('command-line flags: listen flags get the local address, paths and Service URLs are mapped, the rest is kept', () => {
  const prometheus = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus')!;
  const args = containerOf(prometheus, 'prometheus').args!;
  const t = transformFor([
    { path: '/etc/prometheus/config', localPath: '/tmp/p/config' },
    { path: '/prometheus', localPath: '/tmp/p/data' },
  ]);
  const promPort = localCluster.pods.find((p) => p.name === 'prometheus-0')!.containers[0].ports[0].port;
  expect(localArgs(args, t, { 'web.listen-address': `127.0.0.1:${promPort}` }, 'prometheus args')).toEqual([
    '--config.file=/tmp/p/config/prometheus.yml',
    '--storage.tsdb.path=/tmp/p/data',
    '--storage.tsdb.retention.time=3d',
    '--storage.tsdb.retention.size=4GB',
    `--web.listen-address=127.0.0.1:${promPort}`,
    `--web.external-url=http://127.0.0.1:${promPort}`,
  ]);
  expect(() => localArgs(args, t, { 'web.listen-addr': '127.0.0.1:1' }, 'prometheus args')).toThrow('prometheus args: listen flag(s) web.listen-addr not among the generated args');
});

// ---------------------------------------------------------------------------------------------
// The production replicas: two Prometheus and three clustered Alertmanager peers (test/live/ha.test.ts).

const { production, productionObjects, productionCluster, portOf } = productionFixture();

test('pod DNS names of a headless Service map to each pod; a ClusterIP Service gives none', () => {
  const addresses = serviceAddresses(productionCluster);
  const ns = production.namespaces.monitoring;
  for (const i of [0, 1, 2]) {
    expect(localAddress(`alertmanager-${i}.alertmanager-headless.${ns}.svc:9094`, addresses, 'x')).toBe(`127.0.0.1:${portOf(`alertmanager-${i}`, 9094)}`);
    expect(localAddress(`alertmanager-${i}.alertmanager-headless.${ns}.svc.cluster.local:9093`, addresses, 'x')).toBe(`127.0.0.1:${portOf(`alertmanager-${i}`, 9093)}`);
  }
  // The Service name itself still reaches the first backing pod.
  expect(localAddress(`http://alertmanager.${ns}.svc:9093`, addresses, 'x')).toBe(`http://127.0.0.1:${portOf('alertmanager-0', 9093)}`);
  // Pods have no DNS name under the ClusterIP Service, nor under another StatefulSet's headless Service.
  expect(() => localAddress(`alertmanager-1.alertmanager.${ns}.svc:9093`, addresses, 'x')).toThrow('names a Service that does not run locally');
  expect(() => localAddress(`alertmanager-1.prometheus-headless.${ns}.svc:9090`, addresses, 'x')).toThrow('names a Service that does not run locally');
  expect(() => localAddress(`alertmanager-3.alertmanager-headless.${ns}.svc:9094`, addresses, 'x')).toThrow('names a Service that does not run locally');
  // Only headless Services make pod names (the subdomain alone does not).
  const clusterIp = { ...productionCluster, services: productionCluster.services.map((s) => ({ ...s, headless: false })) };
  expect(serviceAddresses(clusterIp).has(`alertmanager-1.alertmanager-headless.${ns}.svc:9094`)).toBe(false);
});

test('clustered Alertmanager flags: the gossip listener on loopback, each peer at its pod; a single replica stays unclustered', () => {
  const am = productionObjects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alertmanager')!;
  const args = containerOf(am, 'alertmanager').args!;
  const t: LocalTransform = { cluster: productionCluster, mounts: [] };
  const listen = { 'web.listen-address': `127.0.0.1:${portOf('alertmanager-1', 9093)}`, 'cluster.listen-address': `127.0.0.1:${portOf('alertmanager-1', 9094)}` };
  const local = localArgs(args, t, listen, 'alertmanager-1 args');
  expect(local.filter((a) => a.startsWith('--cluster.'))).toEqual([
    `--cluster.listen-address=127.0.0.1:${portOf('alertmanager-1', 9094)}`,
    ...[0, 1, 2].map((i) => `--cluster.peer=127.0.0.1:${portOf(`alertmanager-${i}`, 9094)}`),
  ]);
  // minikube: one replica, gossip off (an empty listen address), kept off.
  const single = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alertmanager')!;
  const singleArgs = containerOf(single, 'alertmanager').args!;
  expect(singleArgs).toContain('--cluster.listen-address=');
  expect(localArgs(singleArgs, transformFor([]), { 'web.listen-address': '127.0.0.1:1', 'cluster.listen-address': '127.0.0.1:2' }, 'am args')).toContain('--cluster.listen-address=');
});

test('$(VAR) in arguments is the container\'s variable, as the kubelet expands it; $$(VAR) and unknown variables stay', () => {
  const env = { POD_IP: '127.0.0.1', NAME: 'mlflow-0' };
  expect(expandEnvReferences(['--allowed-hosts=a:5000,$(POD_IP):5000', '--name=$(NAME)-$(NAME)', '--x=$$(POD_IP)', '--y=$(MISSING)', 'server'], env)).toEqual([
    '--allowed-hosts=a:5000,127.0.0.1:5000',
    '--name=mlflow-0-mlflow-0',
    '--x=$(POD_IP)',
    '--y=$(MISSING)',
    'server',
  ]);
});
