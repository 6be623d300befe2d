import type { ManifestObject } from '../../src/common/manifest';
import { requiredSecrets, resourceClassOf, skipAwaitReasons, tierOf, withSkipAwait, SKIP_AWAIT } from '../../src/pulumi/objects';

const obj = (apiVersion: string, kind: string, name: string, extra: Partial<ManifestObject> = {}): ManifestObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'ns' },
  ...extra,
});

const workload = (name: string, pod: object, labels = { app: name }): ManifestObject =>
  obj('apps/v1', 'Deployment', name, { metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/name': name } }, spec: { template: { metadata: { labels }, spec: pod } } });

test('apply tiers: namespaces, prerequisites, services, workloads', () => {
  expect(tierOf(obj('v1', 'Namespace', 'ns'))).toBe('namespace');
  for (const kind of ['ServiceAccount', 'ConfigMap', 'Secret', 'PersistentVolumeClaim']) {
    expect(tierOf(obj('v1', kind, 'x'))).toBe('prerequisite');
  }
  expect(tierOf(obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'x'))).toBe('prerequisite');
  expect(tierOf(obj('v1', 'Service', 'x'))).toBe('service');
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
    expect(tierOf(obj('apps/v1', kind, 'x'))).toBe('workload');
  }
});

test('required Secrets: volumes, projected sources, env and envFrom; optional ones excluded', () => {
  const pod = {
    volumes: [{ name: 'a', secret: { secretName: 'vol' } }, { name: 'b', secret: { secretName: 'opt', optional: true } }, { name: 'c', projected: { sources: [{ secret: { name: 'proj' } }] } }],
    containers: [{ name: 'app', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'env', key: 'k' } } }], envFrom: [{ secretRef: { name: 'from' } }] }],
  };
  expect(requiredSecrets(pod)).toEqual(['env', 'from', 'proj', 'vol']);
});

test('skipAwait: a missing Secret, an unavailable image, and the Services of such pods', () => {
  const objects = [
    workload('reads-secret', { containers: [{ image: 'a:1' }], volumes: [{ name: 'v', secret: { secretName: 'manual' } }] }),
    workload('reads-ours', { containers: [{ image: 'a:1' }], volumes: [{ name: 'v', secret: { secretName: 'ours' } }] }),
    workload('local-image', { containers: [{ image: 'local/x:1' }] }),
    obj('v1', 'Service', 'reads-secret', { spec: { selector: { app: 'reads-secret' } } }),
    obj('v1', 'Service', 'reads-ours', { spec: { selector: { app: 'reads-ours' } } }),
    obj('v1', 'Service', 'orphan', { spec: { selector: { app: 'nothing' } } }),
  ];
  const reasons = skipAwaitReasons(objects, { secretsCreated: new Set(['ns/ours']), unavailableImages: new Set(['local/x:1']) });
  expect([...reasons.keys()].sort()).toEqual([
    'apps/v1 Deployment ns/local-image',
    'apps/v1 Deployment ns/reads-secret',
    'v1 Service ns/orphan',
    'v1 Service ns/reads-secret',
  ]);
  expect(reasons.get('apps/v1 Deployment ns/reads-secret')).toContain('manual');
});

test('withSkipAwait keeps the existing annotations and leaves the original untouched', () => {
  const o = obj('v1', 'Service', 'x', { metadata: { name: 'x', namespace: 'ns', annotations: { a: 'b' } } });
  expect(withSkipAwait(o).metadata.annotations).toEqual({ a: 'b', [SKIP_AWAIT]: 'true' });
  expect(o.metadata.annotations).toEqual({ a: 'b' });
});

test('an unmapped kind fails loudly', () => {
  expect(() => resourceClassOf(obj('example.com/v1', 'Widget', 'w'))).toThrow(/no @pulumi\/kubernetes resource class mapped for example.com\/v1 Widget ns\/w/);
});
