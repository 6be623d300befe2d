import { App } from 'cdk8s';
import { parse } from 'yaml';
import { configChecksum } from '../../../src/common/workload';
import { buildStack } from '../../../src/stack';
import { Promtail } from '../../../src/components/promtail/promtail';
import { OTEL_FEATURE_GATES } from '../../../src/components/otel-collector/otel-collector';
import { configOf, find, ofComponent, synthStack } from '../../helpers';

const objects = synthStack();
const ds = find(objects, 'DaemonSet', 'otel-collector');
const pod = ds.spec.template.spec;
const container = pod.containers[0];
const configMap = find(objects, 'ConfigMap', 'otel-collector-config');

test('the default log agent in both profiles, in the agents namespace, with the pinned contrib image', () => {
  for (const profile of ['minikube', 'production'] as const) {
    const names = new Set(synthStack(configOf(profile)).map((o) => o.metadata.labels?.['app.kubernetes.io/name']));
    expect([names.has('otel-collector'), names.has('promtail')]).toEqual([true, false]);
  }
  expect(ds.metadata.namespace).toBe('fl-agents');
  expect(container.image).toBe('docker.io/otel/opentelemetry-collector-contrib:0.165.1');
  expect(container.args).toEqual(['--config=/etc/otelcol/config.yaml', '--feature-gates=stanza.synchronousLogEmitter']);
});

test('file_log emits synchronously (feature gate): no line waits in memory after its read position is saved', () => {
  expect(container.args).toContain(`--feature-gates=${OTEL_FEATURE_GATES.join(',')}`);
  expect(OTEL_FEATURE_GATES).toEqual(['stanza.synchronousLogEmitter']);
});

test('no API access: its own ServiceAccount, no token, no RBAC', () => {
  expect(pod.serviceAccountName).toBe(find(objects, 'ServiceAccount', 'otel-collector').metadata.name);
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(ofComponent(objects, 'otel-collector').filter((o) => /Role/.test(o.kind))).toEqual([]);
});

test('reads pod logs read-only as uid 0 with no capabilities; state on a host path', () => {
  expect(container.securityContext).toMatchObject({ runAsUser: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  expect(container.securityContext.capabilities.add).toBeUndefined();
  const mounts = Object.fromEntries(container.volumeMounts.map((m: { name: string; mountPath: string; readOnly?: boolean }) => [m.name, [m.mountPath, m.readOnly ?? false]]));
  expect(mounts).toEqual({ config: ['/etc/otelcol', true], pods: ['/var/log/pods', true], state: ['/var/lib/otelcol', false], tmp: ['/tmp', false] });
  const host = Object.fromEntries(pod.volumes.filter((v: { hostPath?: unknown }) => v.hostPath).map((v: { name: string; hostPath: { path: string } }) => [v.name, v.hostPath.path]));
  expect(host).toEqual({ pods: '/var/log/pods', state: '/var/lib/fl-observability/otel-collector' });
  // The file_storage directory of the config is the mounted state directory.
  expect(parse(configMap.data!['config.yaml']).extensions.file_storage.directory).toBe(mounts.state[0]);
});

test('probes on the health_check extension, explicit resources, the node name for the node attribute', () => {
  expect(container.readinessProbe.httpGet).toEqual({ path: '/', port: 13133, scheme: 'HTTP' });
  expect(container.livenessProbe.httpGet).toEqual({ path: '/', port: 13133, scheme: 'HTTP' });
  expect(container.resources).toEqual({ requests: { cpu: '40m', memory: '96Mi' }, limits: { cpu: '200m', memory: '192Mi' } });
  expect(container.env).toEqual([{ name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
});

test('scraped on its metrics port; a config change rolls the pods', () => {
  const annotations = ds.spec.template.metadata.annotations;
  expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8888', 'prometheus.io/path': '/metrics' });
  expect(annotations['checksum/config']).toBe(configChecksum(configMap.data!['config.yaml']));
  const other = find(synthStack(configOf('minikube', { fluentd: { enabled: false } })), 'DaemonSet', 'otel-collector');
  expect(other.spec.template.metadata.annotations['checksum/config']).not.toBe(annotations['checksum/config']);
});

test('Promtail stays selectable (with its deprecation warning), instead of the collector', () => {
  const { warnings } = buildStack(new App(), configOf('minikube', { promtail: { enabled: true }, otelCollector: { enabled: false } }));
  expect(warnings).toContain(Promtail.DEPRECATION);
  expect(buildStack(new App(), configOf()).warnings).not.toContain(Promtail.DEPRECATION);
});

test('warns when Loki is disabled but the collector ships to it', () => {
  const LOKI_OFF = 'loki is disabled but a log agent ships to it: its pushes will fail';
  const warnings = (overrides: Record<string, unknown>) => buildStack(new App(), configOf('minikube', overrides)).warnings;
  expect(warnings({ loki: { enabled: false }, fluentd: { enabled: false } })).toContain(LOKI_OFF);
  expect(warnings({ loki: { enabled: false }, fluentd: { enabled: false }, otelCollector: { enabled: false } })).not.toContain(LOKI_OFF);
});
