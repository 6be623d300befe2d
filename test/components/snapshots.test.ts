import { ComponentName } from '../../src/common/names';
import { StackMode } from '../../src/config/schema';
import { configOf, ofComponent, synthStack } from '../helpers';

// Whole-object snapshots per component and profile: a reviewer sees every change to the output.
describe.each(['minikube', 'production'] as const)('%s', (profile) => {
  const objects = synthStack(configOf(profile));
  test.each(Object.values(ComponentName))('%s', (name) => {
    expect(ofComponent(objects, name)).toMatchSnapshot();
  });
  test('namespaces', () => {
    expect(objects.filter((o) => o.kind === 'Namespace')).toMatchSnapshot();
  });
});

// Operator mode: what it hands to the cluster's prometheus-operator stack, and the policies that admit it.
describe('minikube, mode operator', () => {
  const objects = synthStack(configOf('minikube', { mode: StackMode.OPERATOR }));
  test.each(['PodMonitor', 'PrometheusRule', 'NetworkPolicy'])('%s', (kind) => {
    expect(objects.filter((o) => o.kind === kind)).toMatchSnapshot();
  });
  test('dashboard ConfigMaps (names, labels, keys)', () => {
    const maps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard !== undefined);
    expect(maps.map((o) => ({ metadata: o.metadata, keys: Object.keys(o.data ?? {}) }))).toMatchSnapshot();
  });
});
