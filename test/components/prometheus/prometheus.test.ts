import { configOf, find, synthStack } from '../../helpers';

test('Prometheus mounts its config and every rule file, and rolls when either changes', () => {
  const objects = synthStack();
  const rules = find(objects, 'ConfigMap', 'prometheus-rules');
  expect(Object.keys(rules.data!)).toContain('fl.rules.yaml');
  const checksum = (o: typeof objects) => find(o, 'StatefulSet', 'prometheus').spec.template.metadata.annotations['checksum/config'];
  const before = checksum(objects);
  expect(checksum(synthStack(configOf('minikube', { scrapeInterval: '15s', evaluationInterval: '15s' })))).not.toBe(before);
  expect(checksum(synthStack(configOf('minikube', { thresholds: { accuracyMin: 0.8 } })))).not.toBe(before);
  expect(checksum(synthStack(configOf('minikube', { grafana: { storage: { size: '2Gi' } } })))).toBe(before);
});

test('Prometheus RBAC: cluster-wide only nodes and kubelet metrics; pods/services/endpoints per namespace', () => {
  const objects = synthStack();
  const cluster = find(objects, 'ClusterRole', 'prometheus-fl-monitoring');
  expect(cluster.rules!.map((r) => (r.resources ?? r.nonResourceURLs).join())).toEqual(['nodes', 'nodes/metrics', '/metrics']);
  const roles = objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'prometheus');
  expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['fl-agents', 'fl-monitoring', 'fl-training']);
});

test('retention, storage and args come from config', () => {
  const sts = find(synthStack(configOf('production')), 'StatefulSet', 'prometheus');
  expect(sts.spec.replicas).toBe(2);
  expect(sts.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=15d', '--storage.tsdb.retention.size=90GB']));
  expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('100Gi');
});
