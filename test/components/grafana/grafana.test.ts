import { parse } from 'yaml';
import { DatasourceUid } from '../../../src/monitoring/datasources';
import { configOf, find, synthStack, type K8sObject } from '../../helpers';

const objects = synthStack();

test('datasources are provisioned with fixed uids', () => {
  const ds = parse(find(objects, 'ConfigMap', 'grafana-provisioning').data!['datasources.yaml']);
  expect(ds.datasources.map((d: { uid: string; url: string }) => [d.uid, d.url])).toEqual([
    [DatasourceUid.PROMETHEUS, 'http://prometheus.fl-monitoring.svc:9090'],
    [DatasourceUid.VICTORIA_METRICS, 'http://victoria-metrics.fl-monitoring.svc:8428'],
    [DatasourceUid.LOKI, 'http://loki.fl-monitoring.svc:3100'],
    [DatasourceUid.ALERTMANAGER, 'http://alertmanager.fl-monitoring.svc:9093'],
  ]);
});

test('admin credentials come from the Secret through __FILE variables; no password anywhere', () => {
  const pod = find(objects, 'Deployment', 'grafana').spec.template.spec;
  const env = Object.fromEntries(pod.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
  expect(env.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/etc/grafana/admin-credentials/admin-password');
  expect(env.GF_SECURITY_ADMIN_PASSWORD).toBeUndefined();
  expect(pod.volumes).toContainEqual({ name: 'admin', secret: { secretName: 'grafana-admin' } });
});

test('dashboards are mounted from one ConfigMap per folder', () => {
  const maps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('grafana-dashboards-'));
  const mounted = find(objects, 'Deployment', 'grafana').spec.template.spec.containers[0].volumeMounts.filter((m: { mountPath: string }) => m.mountPath.startsWith('/var/lib/grafana-dashboards/'));
  expect(mounted.length).toBe(maps.length);
});

test('embedding is off by default; when allowed, the session cookie is SameSite=None; Secure', () => {
  const envOf = (objs: K8sObject[]) =>
    Object.fromEntries(find(objs, 'Deployment', 'grafana').spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
  const pick = (env: Record<string, string>) => [env.GF_SECURITY_ALLOW_EMBEDDING, env.GF_SECURITY_COOKIE_SAMESITE, env.GF_SECURITY_COOKIE_SECURE];
  expect(pick(envOf(objects))).toEqual(['false', 'lax', 'false']);
  expect(pick(envOf(synthStack(configOf('minikube', { grafana: { allowEmbedding: true } }))))).toEqual(['true', 'none', 'true']);
});
