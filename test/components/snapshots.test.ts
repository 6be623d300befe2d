import { ComponentName } from '../../src/common/names';
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
