import { synthStack } from '../../helpers';

test('the stack and the FL workloads enforce restricted; node agents get privileged with baseline warnings', () => {
  const labels = Object.fromEntries(synthStack().filter((o) => o.kind === 'Namespace').map((n) => [n.metadata.name, n.metadata.labels!]));
  expect(labels['fl-monitoring']['pod-security.kubernetes.io/enforce']).toBe('restricted');
  expect(labels['fl-training']['pod-security.kubernetes.io/enforce']).toBe('restricted');
  expect(labels['fl-agents']['pod-security.kubernetes.io/enforce']).toBe('privileged');
  expect(labels['fl-agents']['pod-security.kubernetes.io/warn']).toBe('baseline');
});
