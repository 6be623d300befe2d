import { stackTopology } from '../../src/component-list';
import { ComponentName, WorkloadKind } from '../../src/common/names';
import { stackExpectedObjects } from '../../src/stack';
import { configOf, synthStack } from '../helpers';

test.each(['minikube', 'production'] as const)('the expected workloads and Services are exactly the synthesized ones (%s)', (profile) => {
  const config = configOf(profile);
  const objects = synthStack(config);
  const expected = stackExpectedObjects(config);
  const kinds: string[] = Object.values(WorkloadKind);
  expect(expected.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name} ${JSON.stringify(w.selector)}`)).toEqual(
    objects.filter((o) => kinds.includes(o.kind)).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name} ${JSON.stringify(o.spec.selector.matchLabels)}`),
  );
  expect(expected.services.map((s) => `${s.component} ${s.namespace}/${s.name}`)).toEqual(
    objects.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.labels!['app.kubernetes.io/name']} ${o.metadata.namespace}/${o.metadata.name}`),
  );
});

test('a disabled component is not expected; namespaces follow the config', () => {
  const config = configOf('minikube', { loki: { enabled: false }, namespaces: { monitoring: 'obs' } });
  const expected = stackExpectedObjects(config);
  expect(expected.workloads.map((w) => w.component)).not.toContain('loki');
  expect(expected.services.map((s) => s.component)).not.toContain('loki');
  expect(expected.workloads.find((w) => w.component === 'prometheus')).toMatchObject({ namespace: 'obs', kind: WorkloadKind.STATEFUL_SET });
  expect(stackTopology(config).endpoint(ComponentName.PROMETHEUS).namespace).toBe('obs');
});

test('production adds the GPU exporter (a DaemonSet on GPU nodes), minikube does not', () => {
  expect(stackExpectedObjects(configOf('production')).workloads.find((w) => w.component === 'dcgm-exporter')?.kind).toBe(WorkloadKind.DAEMON_SET);
  expect(stackExpectedObjects(configOf('minikube')).workloads.find((w) => w.component === 'dcgm-exporter')).toBeUndefined();
});
