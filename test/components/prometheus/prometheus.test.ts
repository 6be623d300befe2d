import { PROMETHEUS_COMPONENT } from '../../../src/components/prometheus/component';
import { configOf, find, synthStack } from '../../helpers';
import { EXTERNAL_SCRAPE_JOBS, ONBOARDED_ALL, ONBOARDED_LIST, REMOTE_WRITE_TARGETS } from './variants';

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

/** A Role's or ClusterRole's rules as `resources verbs` lines. */
const grants = (role: { rules?: { resources?: string[]; nonResourceURLs?: string[]; verbs: string[] }[] }): string[] =>
  (role.rules ?? []).map((r) => `${(r.resources ?? r.nonResourceURLs ?? []).join()} ${r.verbs.join()}`);

test('onboarded namespaces: a Role and RoleBinding in each, the ClusterRole unchanged; synth says which flows their policies must allow', () => {
  const config = configOf('minikube', ONBOARDED_LIST);
  const objects = synthStack(config);
  const roles = objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'prometheus');
  expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['fl-agents', 'fl-monitoring', 'fl-training', 'team-a', 'training-jobs']);
  for (const role of roles) {
    expect(grants(role)).toEqual(['pods get,list,watch', 'services get,list,watch', 'endpoints get,list,watch']);
  }
  const bindings = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'training-jobs');
  expect(bindings.map((b) => b.subjects)).toEqual([[{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'fl-monitoring', apiGroup: '' }]]);
  expect(find(objects, 'ClusterRole', 'prometheus-fl-monitoring').rules!.map((r) => (r.resources ?? r.nonResourceURLs).join())).toEqual(['nodes', 'nodes/metrics', '/metrics']);
  // Nothing else lands in a namespace the stack does not own: no policy, no workload.
  expect(objects.filter((o) => ['training-jobs', 'team-a'].includes(o.metadata.namespace ?? '')).map((o) => o.kind).sort()).toEqual(['Role', 'Role', 'RoleBinding', 'RoleBinding']);
  expect(PROMETHEUS_COMPONENT.warnings!(config)).toEqual([
    'prometheus.onboardedNamespaces training-jobs, team-a: a Role and RoleBinding go into each (the namespaces must exist); where their NetworkPolicies restrict ingress, ' +
      'allow TCP from pods app.kubernetes.io/name=prometheus of namespace fl-monitoring to the annotated ports (the stack changes no policy outside its namespaces)',
  ]);
  expect(PROMETHEUS_COMPONENT.warnings!(configOf())).toEqual([]);
});

test("onboarded 'all': discovery reads are cluster-wide (ClusterRole), no Role anywhere", () => {
  const objects = synthStack(configOf('minikube', ONBOARDED_ALL));
  expect(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
  const cluster = find(objects, 'ClusterRole', 'prometheus-fl-monitoring');
  expect(grants(cluster)).toEqual(['nodes get,list,watch', 'nodes/metrics get', '/metrics get', 'pods get,list,watch', 'services get,list,watch', 'endpoints get,list,watch']);
});

test('remote_write and external scrape job Secrets and ConfigMaps are mounted read-only, one directory each, where prometheus.yml reads them', () => {
  const rw = REMOTE_WRITE_TARGETS.prometheus;
  const objects = synthStack(configOf('minikube', { prometheus: { ...rw, ...EXTERNAL_SCRAPE_JOBS.prometheus } }));
  const pod = find(objects, 'StatefulSet', 'prometheus').spec.template.spec;
  const mounts = pod.containers[0].volumeMounts.filter((m: { mountPath: string }) => /^\/etc\/prometheus\/(secrets|configmaps)\//.test(m.mountPath));
  const sources = Object.fromEntries(
    mounts.map((m: { name: string; mountPath: string; readOnly: boolean }) => {
      const v = pod.volumes.find((x: { name: string }) => x.name === m.name);
      return [m.mountPath, { readOnly: m.readOnly, secret: v.secret?.secretName, configMap: v.configMap?.name }];
    }),
  );
  expect(sources).toEqual({
    '/etc/prometheus/secrets/central-metrics': { readOnly: true, secret: 'central-metrics', configMap: undefined },
    '/etc/prometheus/secrets/mimir-token': { readOnly: true, secret: 'mimir-token', configMap: undefined },
    '/etc/prometheus/secrets/appliance-token': { readOnly: true, secret: 'appliance-token', configMap: undefined },
    '/etc/prometheus/configmaps/corporate-ca': { readOnly: true, secret: undefined, configMap: 'corporate-ca' },
  });
  // No credential is written into any generated object.
  expect(JSON.stringify(objects)).not.toMatch(/password_file: [^/]|credentials: /);
});
