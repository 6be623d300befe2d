import { configOf, find, synthStack } from '../../helpers';

test('clients take their partition from the StatefulSet pod index and find the server by its Service', () => {
  const sts = find(synthStack(configOf('minikube', { fl: { numClients: 7, minClients: 3 } })), 'StatefulSet', 'fl-client');
  expect(sts.spec.replicas).toBe(7);
  const env = sts.spec.template.spec.containers[0].env;
  expect(env).toContainEqual({ name: 'FL_CLIENT_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } } });
  expect(env).toContainEqual({ name: 'FL_SERVER_ADDRESS', value: 'fl-server.fl-training.svc:9092' });
  expect(env).toContainEqual({ name: 'FL_NUM_CLIENTS', value: '7' });
});

test('the server gets rounds, strategy, policy and round timeout from config and serves metrics on 8081', () => {
  const dep = find(synthStack(configOf('minikube', { fl: { rounds: 42, strategy: 'fedprox', roundFailurePolicy: 'fail', roundTimeout: '1m30s' } })), 'Deployment', 'fl-server');
  const env = Object.fromEntries(dep.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
  expect(env).toMatchObject({ FL_NUM_ROUNDS: '42', FL_STRATEGY: 'fedprox', FL_ROUND_FAILURE_POLICY: 'fail', FL_ROUND_TIMEOUT_SECONDS: '90', FL_METRICS_PORT: '8081', FL_ROUND_DURATION_BUCKETS: '0.5,1,2.5,5,10,30,45,90,135,180' });
  expect(dep.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8081' });
});
