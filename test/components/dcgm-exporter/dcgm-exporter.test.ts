import { configOf, find, synthStack } from '../../helpers';

test('off in minikube; on GPU nodes only in production, with pod-resources mounted read-only', () => {
  expect(synthStack().some((o) => o.metadata.name === 'dcgm-exporter')).toBe(false);
  const ds = find(synthStack(configOf('production', { gpu: { runtimeClassName: 'nvidia' } })), 'DaemonSet', 'dcgm-exporter');
  const pod = ds.spec.template.spec;
  expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
  expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(pod.runtimeClassName).toBe('nvidia');
  expect(pod.containers[0].volumeMounts).toEqual([{ mountPath: '/var/lib/kubelet/pod-resources', name: 'pod-resources', readOnly: true }]);
  expect(pod.containers[0].securityContext.privileged).toBe(false);
});
