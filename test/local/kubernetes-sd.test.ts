import { amPod, amService, cluster, pod } from './fixtures';
import { discover, endpointsTargets, podTargets } from './kubernetes-sd';

test('a pod yields one target per container port, with the meta labels Kubernetes SD sets', () => {
  const groups = podTargets(pod({ containers: [...pod().containers, { name: 'sidecar', ports: [] }] }));
  expect(groups.map((g) => g.targets)).toEqual([['127.0.0.1:41001'], ['127.0.0.1']]);
  expect(groups[0].labels).toMatchObject({
    __meta_kubernetes_namespace: 'fl-training',
    __meta_kubernetes_pod_name: 'fl-client-1',
    __meta_kubernetes_pod_ip: '127.0.0.1',
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_ready: 'true',
    __meta_kubernetes_pod_node_name: 'node-a',
    __meta_kubernetes_pod_uid: '0000-1111',
    __meta_kubernetes_pod_label_app_kubernetes_io_name: 'fl-client',
    __meta_kubernetes_pod_labelpresent_app_kubernetes_io_name: 'true',
    __meta_kubernetes_pod_label_apps_kubernetes_io_pod_index: '1',
    __meta_kubernetes_pod_annotation_prometheus_io_port: '41001',
    __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: 'true',
    __meta_kubernetes_pod_container_name: 'fl-client',
    __meta_kubernetes_pod_container_port_name: 'metrics',
    __meta_kubernetes_pod_container_port_number: '41001',
    __meta_kubernetes_pod_container_port_protocol: 'TCP',
    __meta_kubernetes_pod_container_init: 'false',
  });
  expect(groups[1].labels.__meta_kubernetes_pod_container_name).toBe('sidecar');
  expect(groups[1].labels.__meta_kubernetes_pod_container_port_number).toBeUndefined();
});

test('endpoints: one target per backing pod and Service port, targetPort by number or name', () => {
  const byNumber = endpointsTargets(amService, [amPod, pod()]);
  expect(byNumber.map((g) => g.targets[0])).toEqual(['127.0.0.1:42000']);
  expect(byNumber[0].labels).toMatchObject({
    __meta_kubernetes_service_name: 'alertmanager',
    __meta_kubernetes_endpoint_port_name: 'http',
    __meta_kubernetes_endpoint_address_target_kind: 'Pod',
    __meta_kubernetes_endpoint_address_target_name: 'alertmanager-0',
    __meta_kubernetes_namespace: 'fl-monitoring',
  });
  expect(endpointsTargets({ ...amService, ports: [{ name: 'c', port: 1, targetPort: 'cluster' }] }, [amPod])[0].targets).toEqual(['127.0.0.1:42001']);
  expect(() => endpointsTargets({ ...amService, ports: [{ name: 'x', port: 1, targetPort: 9999 }] }, [amPod])).toThrow(
    'service fl-monitoring/alertmanager port x: targetPort 9999 is not a port of pod alertmanager-0 (its ports: http=9093, cluster=9094)',
  );
});

test('discovery honours namespaces and the field selectors the stack uses, with ${VAR} expansion', () => {
  expect(discover({ role: 'pod', namespaces: { names: ['fl-monitoring'] } }, cluster, 'job').map((g) => g.labels.__meta_kubernetes_pod_name)).toEqual(['alertmanager-0', 'alertmanager-0']);
  const onNode = { role: 'pod' as const, selectors: [{ role: 'pod', field: 'spec.nodeName=${HOSTNAME}' }] };
  expect(discover(onNode, cluster, 'job', { HOSTNAME: 'node-a' })).toHaveLength(3);
  expect(discover(onNode, cluster, 'job', { HOSTNAME: 'node-b' })).toHaveLength(0);
  expect(() => discover(onNode, cluster, 'promtail job x')).toThrow('promtail job x: ${HOSTNAME} is not set in the local environment');
  expect(() => discover({ role: 'pod', selectors: [{ role: 'pod', field: 'status.podIP=1' }] }, cluster, 'job')).toThrow("job: unsupported field selector 'status.podIP=1'");
  expect(() => discover({ role: 'service' }, cluster, 'prometheus job svc')).toThrow("prometheus job svc: kubernetes_sd_configs role 'service' is not supported locally");
  expect(discover({ role: 'node' }, cluster, 'kubelet')).toEqual([]);
  expect(discover({ role: 'node' }, { ...cluster, nodes: [{ name: 'n1', ip: '127.0.0.1', labels: {} }] }, 'kubelet')[0].targets).toEqual(['127.0.0.1:10250']);
});

test('endpoints carry the Service\'s annotations, a prometheus.io/port naming a container port moved to its local port', () => {
  const annotated = { ...amService, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9094', 'prometheus.io/path': '/m' } };
  const [target] = endpointsTargets(annotated, [amPod]);
  expect(target.labels).toMatchObject({
    __meta_kubernetes_service_annotation_prometheus_io_scrape: 'true',
    __meta_kubernetes_service_annotationpresent_prometheus_io_scrape: 'true',
    __meta_kubernetes_service_annotation_prometheus_io_port: '42001',
    __meta_kubernetes_service_annotation_prometheus_io_path: '/m',
    __meta_kubernetes_service_label_app_kubernetes_io_name: 'alertmanager',
  });
  expect(endpointsTargets(amService, [amPod])[0].labels.__meta_kubernetes_service_annotation_prometheus_io_port).toBeUndefined();
});
