import { ComponentName, Ports } from '../../src/common/names';
import { resolveConfig } from '../../src/config/loader';
import { isWorkload, type ManifestObject } from '../../src/common/manifest';
import { synthStack } from '../helpers';
import { productionFixture } from './fixtures';
import { containerEnv, containerOf, localPods, localService, localUid, mountsOf } from './pods';

const objects = synthStack(resolveConfig()) as ManifestObject[];
const workload = (kind: string, name: string): ManifestObject => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
const ports = new Map<string, number>();
const portFor = (pod: string, container: string, port: number): number => {
  const key = `${pod}/${container}/${port}`;
  if (!ports.has(key)) {
    ports.set(key, 40000 + ports.size);
  }
  return ports.get(key)!;
};

test('a StatefulSet gives N pods named by ordinal, with the labels its controller adds and ports mapped', () => {
  const pods = localPods(workload('StatefulSet', 'fl-client'), { nodeName: 'n1', portFor });
  expect(pods.map((p) => p.name)).toEqual(['fl-client-0', 'fl-client-1']);
  expect(pods[1].labels).toMatchObject({ 'app.kubernetes.io/name': ComponentName.FL_CLIENT, 'apps.kubernetes.io/pod-index': '1', 'statefulset.kubernetes.io/pod-name': 'fl-client-1' });
  const metrics = pods[1].containers[0].ports.find((p) => p.name === 'metrics')!;
  expect(metrics).toEqual({ name: 'metrics', port: ports.get(`fl-client-1/fl-client/${Ports.flMetrics}`), containerPort: Ports.flMetrics, protocol: 'TCP' });
  // The scrape annotation names the container port, which moved with it.
  expect(pods[1].annotations['prometheus.io/port']).toBe(String(metrics.port));
  expect(pods[0].annotations['prometheus.io/port']).not.toBe(pods[1].annotations['prometheus.io/port']);
  expect(pods[1]).toMatchObject({ namespace: 'fl-training', nodeName: 'n1', ip: '127.0.0.1', uid: localUid('fl-training', 'fl-client-1'), controller: { kind: 'StatefulSet', name: 'fl-client' } });
});

test('a Deployment gives its replicas, a DaemonSet one pod on the node', () => {
  expect(localPods(workload('Deployment', 'fl-server'), { nodeName: 'n1', portFor }).map((p) => [p.name, p.controller?.kind])).toEqual([['fl-server-local-0', 'ReplicaSet']]);
  expect(localPods(workload('DaemonSet', 'otel-collector'), { nodeName: 'n1', portFor }).map((p) => [p.name, p.controller?.kind])).toEqual([['otel-collector-n1', 'DaemonSet']]);
  expect(() => localPods(objects.find((o) => o.kind === 'ConfigMap')!, { nodeName: 'n1', portFor })).toThrow('is not a workload');
});

test('uids are deterministic and UUID-shaped (log agents read them from log directory names)', () => {
  expect(localUid('a', 'b')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(localUid('a', 'b')).toBe(localUid('a', 'b'));
  expect(localUid('a', 'b')).not.toBe(localUid('a', 'c'));
});

test('the environment resolves literal values and the downward API as the kubelet would', () => {
  const sts = workload('StatefulSet', 'fl-client');
  const [, second] = localPods(sts, { nodeName: 'n1', portFor });
  expect(containerEnv(containerOf(sts, 'fl-client'), second)).toEqual({
    FL_CLIENT_INDEX: '1',
    FL_NUM_CLIENTS: '2',
    FL_SERVER_ADDRESS: 'fl-server.fl-training.svc:9092',
    FL_METRICS_PORT: String(Ports.flMetrics),
  });
  const ds = workload('DaemonSet', 'otel-collector');
  expect(containerEnv(containerOf(ds, 'otel-collector'), localPods(ds, { nodeName: 'node-7', portFor })[0])).toEqual({ K8S_NODE_NAME: 'node-7' });
  expect(() => containerEnv({ name: 'c', env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }, second)).toThrow(
    'container c: env PASSWORD comes from {"secretKeyRef":{"name":"s","key":"k"}}, which the local stack does not provide',
  );
  expect(() => containerEnv({ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: "metadata.labels['nope']" } } }] }, second)).toThrow('container c: env X: pod fl-client-1 has no label nope');
});

test('mounts resolve to ConfigMaps, Secrets, claims, emptyDirs and host paths', () => {
  const prometheus = workload('StatefulSet', 'prometheus');
  expect(mountsOf(prometheus, containerOf(prometheus, 'prometheus'))).toEqual([
    { path: '/etc/prometheus/config', source: { kind: 'configMap', name: 'prometheus-config' } },
    { path: '/etc/prometheus/rules', source: { kind: 'configMap', name: 'prometheus-rules' } },
    { path: '/prometheus', source: { kind: 'claim' } },
  ]);
  const agent = workload('DaemonSet', 'otel-collector');
  expect(mountsOf(agent, containerOf(agent, 'otel-collector')).map((m) => m.source.kind)).toEqual(['configMap', 'hostPath', 'hostPath', 'emptyDir']);
  const withSecret = synthStack(
    resolveConfig({ overrides: { alertmanager: { receivers: [{ name: 'r', type: 'webhook', url: { name: 'am-secret', key: 'url' } }], routes: { critical: 'r', warning: null, info: null } } } }),
  ) as ManifestObject[];
  const am = withSecret.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alertmanager')!;
  expect(mountsOf(am, containerOf(am, 'alertmanager'))).toContainEqual({ path: '/etc/alertmanager/secrets/am-secret', source: { kind: 'secret', name: 'am-secret' } });
});

test('Services keep their selector and ports, targetPort included', () => {
  const services = objects.filter((o) => o.kind === 'Service').map(localService);
  expect(services.find((s) => s.name === 'fl-server')).toEqual({
    namespace: 'fl-training',
    name: 'fl-server',
    labels: expect.objectContaining({ 'app.kubernetes.io/name': 'fl-server' }),
    annotations: {},
    selector: { 'app.kubernetes.io/name': 'fl-server', 'app.kubernetes.io/part-of': 'fl-observability' },
    ports: [
      { name: 'fleet', port: Ports.flFleet, targetPort: Ports.flFleet },
      { name: 'metrics', port: Ports.flMetrics, targetPort: Ports.flMetrics },
    ],
  });
  expect(objects.filter(isWorkload).length).toBeGreaterThan(5);
});

test('StatefulSet pods carry the hostname and subdomain of their DNS names; headless Services say so', () => {
  const { productionCluster } = productionFixture();
  const pods = productionCluster.pods.filter((p) => p.labels['app.kubernetes.io/name'] === ComponentName.ALERTMANAGER);
  expect(pods.map((p) => [p.name, p.hostname, p.subdomain])).toEqual([0, 1, 2].map((i) => [`alertmanager-${i}`, `alertmanager-${i}`, 'alertmanager-headless']));
  expect(productionCluster.services.filter((s) => s.headless === true).map((s) => s.name)).toContain('alertmanager-headless');
  expect(productionCluster.services.find((s) => s.name === 'alertmanager')!.headless).toBeUndefined();
});
