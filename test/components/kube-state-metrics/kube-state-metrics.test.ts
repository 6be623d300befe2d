import { KSM_RESOURCES } from '../../../src/components/kube-state-metrics/kube-state-metrics';
import { find, synthStack } from '../../helpers';

test('lists and watches exactly the exported kinds; no secrets, no get', () => {
  const role = find(synthStack(), 'ClusterRole', 'kube-state-metrics-fl-monitoring');
  expect(role.rules!.map((r) => r.resources[0])).toEqual(KSM_RESOURCES.map((r) => r.resource));
  expect(role.rules!.every((r) => r.verbs.join() === 'list,watch')).toBe(true);
});

test('scraped with honor_labels so its namespace/pod labels describe the objects', () => {
  const annotations = find(synthStack(), 'Deployment', 'kube-state-metrics').spec.template.metadata.annotations;
  expect(annotations['fl-observability.io/honor-labels']).toBe('true');
});
