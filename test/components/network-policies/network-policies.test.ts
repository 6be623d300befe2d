import { configOf, synthStack, type K8sObject } from '../../helpers';

/** Reads the synthesized policies back into flows `fromNamespace/fromApp -> toNamespace/toApp:port`. */
function allowedFlows(objects: K8sObject[]): string[] {
  const flows: string[] = [];
  for (const p of objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name !== 'default-deny-ingress')) {
    const to = `${p.metadata.namespace}/${p.spec.podSelector.matchLabels['app.kubernetes.io/name']}`;
    for (const rule of p.spec.ingress) {
      for (const port of rule.ports) {
        const froms =
          rule.from === undefined
            ? ['*']
            : rule.from.map((f: any) => (f.ipBlock !== undefined ? f.ipBlock.cidr : `${f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']}/${f.podSelector.matchLabels['app.kubernetes.io/name']}`));
        froms.forEach((from: string) => flows.push(`${from} -> ${to}:${port.port}`));
      }
    }
  }
  return flows.sort();
}

// No flow from outside the stack by default: users open the UIs with `kubectl port-forward`, which
// NetworkPolicies do not filter; the Alertmanager API (silences) and Prometheus's take only their clients.
const EXPECTED_MINIKUBE = [
  'fl-agents/fluentd -> fl-monitoring/loki:3100',
  'fl-agents/otel-collector -> fl-monitoring/loki:3100',
  'fl-monitoring/alertmanager -> fl-monitoring/alertmanager:9094',
  'fl-monitoring/grafana -> fl-monitoring/alertmanager:9093',
  'fl-monitoring/grafana -> fl-monitoring/loki:3100',
  'fl-monitoring/grafana -> fl-monitoring/prometheus:9090',
  'fl-monitoring/grafana -> fl-monitoring/victoria-metrics:8428',
  'fl-monitoring/prometheus -> fl-agents/fluentd:24231',
  'fl-monitoring/prometheus -> fl-agents/otel-collector:8888',
  'fl-monitoring/prometheus -> fl-monitoring/alertmanager:9093',
  'fl-monitoring/prometheus -> fl-monitoring/grafana:3000',
  'fl-monitoring/prometheus -> fl-monitoring/kube-state-metrics:8080',
  'fl-monitoring/prometheus -> fl-monitoring/kube-state-metrics:8081',
  'fl-monitoring/prometheus -> fl-monitoring/loki:3100',
  'fl-monitoring/prometheus -> fl-monitoring/prometheus:9090',
  'fl-monitoring/prometheus -> fl-monitoring/victoria-metrics:8428',
  'fl-monitoring/prometheus -> fl-training/fl-client:8081',
  'fl-monitoring/prometheus -> fl-training/fl-server:8081',
  'fl-training/fl-client -> fl-training/fl-server:9092',
];

test('the allowed flows are exactly the matrix the stack needs (minikube)', () => {
  expect(allowedFlows(synthStack())).toEqual(EXPECTED_MINIKUBE);
});

test('production adds the GPU exporter scrape and MLflow (the FL server logs its runs, Prometheus scrapes it; users port-forward), nothing else', () => {
  const extra = allowedFlows(synthStack(configOf('production'))).filter((f) => !EXPECTED_MINIKUBE.includes(f));
  expect(extra).toEqual([
    'fl-monitoring/prometheus -> fl-agents/dcgm-exporter:9400',
    'fl-monitoring/prometheus -> fl-monitoring/mlflow:5000',
    'fl-training/fl-server -> fl-monitoring/mlflow:5000',
  ]);
});

test('every namespace of ours denies ingress by default', () => {
  const denies = synthStack().filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-ingress');
  expect(denies.map((d) => [d.metadata.namespace, d.spec.podSelector, d.spec.policyTypes, d.spec.ingress])).toEqual([
    ['fl-monitoring', {}, ['Ingress'], undefined],
    ['fl-agents', {}, ['Ingress'], undefined],
    ['fl-training', {}, ['Ingress'], undefined],
  ]);
});

test('Promtail selected instead of the collector: its flows replace the collector\'s', () => {
  const flows = allowedFlows(synthStack(configOf('minikube', { promtail: { enabled: true }, otelCollector: { enabled: false } })));
  expect(flows.filter((f) => !EXPECTED_MINIKUBE.includes(f))).toEqual(['fl-agents/promtail -> fl-monitoring/loki:3100', 'fl-monitoring/prometheus -> fl-agents/promtail:9080']);
  expect(EXPECTED_MINIKUBE.filter((f) => !flows.includes(f))).toEqual(['fl-agents/otel-collector -> fl-monitoring/loki:3100', 'fl-monitoring/prometheus -> fl-agents/otel-collector:8888']);
});

test('disabling a component removes its flows', () => {
  const flows = allowedFlows(synthStack(configOf('minikube', { loki: { enabled: false } })));
  expect(flows.some((f) => f.includes('loki'))).toBe(false);
});

test("the UIs admit the Ingress controller where an Ingress exposes them, and the API server's addresses (service proxy), nothing else from outside", () => {
  const config = configOf('minikube', {
    ingress: { enabled: true, hosts: { grafana: 'grafana.fl.example.org' } },
    networkPolicies: { apiServerCidrs: ['192.168.49.2/32'] },
  });
  const extra = allowedFlows(synthStack(config)).filter((f) => !EXPECTED_MINIKUBE.includes(f));
  expect(extra).toEqual([
    '192.168.49.2/32 -> fl-monitoring/alertmanager:9093',
    '192.168.49.2/32 -> fl-monitoring/grafana:3000',
    '192.168.49.2/32 -> fl-monitoring/prometheus:9090',
    'ingress-nginx/ingress-nginx -> fl-monitoring/grafana:3000',
  ]);
});
