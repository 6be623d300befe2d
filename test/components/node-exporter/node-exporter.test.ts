import { find, synthStack } from '../../helpers';

test('host access is exactly what node metrics need, as nobody with no capabilities', () => {
  const pod = find(synthStack(), 'DaemonSet', 'node-exporter').spec.template.spec;
  expect([pod.hostNetwork, pod.hostPID]).toEqual([true, true]);
  expect(pod.volumes.map((v: { hostPath: { path: string } }) => v.hostPath.path)).toEqual(['/proc', '/sys', '/']);
  expect(pod.containers[0].volumeMounts.every((m: { readOnly: boolean }) => m.readOnly)).toBe(true);
  expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 65534, capabilities: { drop: ['ALL'] } });
});
