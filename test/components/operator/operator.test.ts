import { Chart, Testing } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { OperatorResources } from '../../../src/components/operator/operator';
import { COMPONENTS } from '../../../src/component-list';
import { ScrapeAnnotations } from '../../../src/common/names';
import { StackMode } from '../../../src/config/schema';
import { collectMonitoring } from '../../../src/monitoring/collect';
import { configOf, podTemplates, synthStack, type K8sObject } from '../../helpers';

const STANDALONE = configOf('production');
const OPERATOR = configOf('production', { mode: StackMode.OPERATOR, operator: { ruleLabels: { release: 'platform' }, monitorLabels: { release: 'platform', team: 'ml' } } });
const standalone = synthStack(STANDALONE);
const operator = synthStack(OPERATOR);
const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

test('operator mode deploys no Prometheus, Alertmanager, Grafana, node-exporter or kube-state-metrics and no VictoriaMetrics by default; the rest stays', () => {
  const names = (objects: K8sObject[]) => new Set(podTemplates(objects).map((t) => t.owner.metadata.name));
  const gone = [...names(standalone)].filter((n) => !names(operator).has(n)).sort();
  expect(gone).toEqual(['alertmanager', 'grafana', 'kube-state-metrics', 'node-exporter', 'prometheus', 'victoria-metrics']);
  expect([...names(operator)].filter((n) => !names(standalone).has(n))).toEqual([]);
});

test('one PodMonitor per workload the annotations opt in, selecting its pods on the annotated port and path', () => {
  const scraped = podTemplates(operator).filter((t) => t.metadata.annotations?.[ScrapeAnnotations.scrape] === 'true');
  const monitors = of(operator, 'PodMonitor');
  expect(monitors.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(scraped.map((t) => `${t.owner.metadata.namespace}/${t.owner.metadata.name}`).sort());
  for (const t of scraped) {
    const m = monitors.find((x) => x.metadata.name === t.owner.metadata.name)!;
    const endpoint = m.spec.podMetricsEndpoints[0];
    expect({ name: m.metadata.name, selector: m.spec.selector.matchLabels, port: endpoint.portNumber, path: endpoint.path, honorLabels: endpoint.honorLabels === true }).toEqual({
      name: t.owner.metadata.name,
      selector: t.owner.spec.selector.matchLabels,
      port: Number(t.metadata.annotations[ScrapeAnnotations.port]),
      path: t.metadata.annotations[ScrapeAnnotations.path],
      honorLabels: t.metadata.annotations[ScrapeAnnotations.honorLabels] === 'true',
    });
    expect(m.spec.jobLabel).toBe('app.kubernetes.io/name');
    expect(m.metadata.labels).toMatchObject({ release: 'platform', team: 'ml' });
    expect(endpoint.interval).toBe(OPERATOR.scrapeInterval);
  }
  // The exporters whose series describe other pods keep their labels, as in the standalone job.
  expect(monitors.filter((m) => m.spec.podMetricsEndpoints[0].honorLabels === true).map((m) => m.metadata.name).sort()).toEqual(['dcgm-exporter']);
});

test("each PrometheusRule carries exactly one generated rule file's groups", () => {
  const files = collectMonitoring(OPERATOR, COMPONENTS).ruleFiles;
  const rules = of(operator, 'PrometheusRule');
  expect(rules.map((r) => `${r.metadata.name}.rules.yaml`).sort()).toEqual(Object.keys(files).sort());
  for (const r of rules) {
    expect(r.metadata.labels).toMatchObject({ release: 'platform' });
    // The PrometheusRule's camelCase fields back in the rule file's spelling: the same groups.
    const asRuleFile = JSON.parse(JSON.stringify(r.spec.groups).replaceAll('"keepFiringFor"', '"keep_firing_for"').replaceAll('"queryOffset"', '"query_offset"'));
    expect(asRuleFile).toEqual((parseYaml(files[`${r.metadata.name}.rules.yaml`]) as { groups: unknown }).groups);
  }
});

test("the exporters the cluster's stack runs are not deployed, yet their rules and dashboards ship; ours instead when it does not", () => {
  const rules = (objects: K8sObject[]) => of(objects, 'PrometheusRule').map((r) => r.metadata.name);
  expect(rules(operator)).toEqual(expect.arrayContaining(['kubernetes', 'node']));
  expect(of(operator, 'ConfigMap').map((c) => c.metadata.name)).toContain('dashboard-training-dashboard');
  const own = synthStack(configOf('production', { mode: StackMode.OPERATOR, operator: { provides: { kubeStateMetrics: false } }, kubeStateMetrics: { enabled: true } }));
  expect(of(own, 'PodMonitor').map((m) => m.metadata.name)).toContain('kube-state-metrics');
  expect(rules(own)).toContain('kubernetes');
  const none = synthStack(configOf('production', { mode: StackMode.OPERATOR, operator: { provides: { kubeStateMetrics: false } } }));
  expect(rules(none)).not.toContain('kubernetes');
});

test('each dashboard is a ConfigMap the Grafana sidecar loads, holding its JSON', () => {
  const { dashboards } = collectMonitoring(OPERATOR, COMPONENTS);
  const maps = of(operator, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
  expect(maps.map((c) => Object.keys(c.data!)[0]).sort()).toEqual(dashboards.map((d) => `${d.uid}.json`).sort());
  for (const d of dashboards) {
    const map = maps.find((c) => c.data![`${d.uid}.json`] !== undefined)!;
    expect([map.metadata.namespace, map.metadata.annotations?.grafana_folder, map.data![`${d.uid}.json`]]).toEqual([OPERATOR.namespaces.monitoring, d.folder, d.json]);
  }
  const elsewhere = synthStack(configOf('minikube', { mode: StackMode.OPERATOR, operator: { dashboards: { label: 'dash', labelValue: 'yes', namespace: 'monitoring' } } }));
  expect(new Set(of(elsewhere, 'ConfigMap').filter((c) => c.metadata.labels?.dash === 'yes').map((c) => c.metadata.namespace))).toEqual(new Set(['monitoring']));
});

test("the metrics ports admit the operator stack's Prometheus, Loki admits its Grafana", () => {
  const policy = (name: string) => of(operator, 'NetworkPolicy').find((p) => p.metadata.name === `allow-${name}`)!;
  const peer = (p: { namespace: string; podLabels: Record<string, string> }) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
    podSelector: { matchLabels: p.podLabels },
  });
  const sourcesOf = (name: string, port: number) => policy(name).spec.ingress.find((i: any) => i.ports[0].port === port).from;
  const onHostNetwork = new Set(podTemplates(operator).filter((t) => t.spec.hostNetwork === true).map((t) => t.owner.metadata.name));
  const monitors = of(operator, 'PodMonitor').filter((m) => !onHostNetwork.has(m.metadata.name));
  expect(monitors.length).toBeGreaterThanOrEqual(6);
  for (const m of monitors) {
    expect([m.metadata.name, sourcesOf(m.metadata.name, m.spec.podMetricsEndpoints[0].portNumber)]).toEqual([m.metadata.name, expect.arrayContaining([peer(OPERATOR.operator.prometheus)])]);
  }
  const loki = policy('loki').spec.ingress.flatMap((i: any) => i.from);
  expect(loki).toEqual(expect.arrayContaining([peer(OPERATOR.operator.grafana)]));
  // Standalone: no peer outside the stack's namespaces.
  const outside = of(standalone, 'NetworkPolicy').flatMap((p) => p.spec.ingress ?? []).flatMap((i: any) => i.from ?? []).map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
  expect(new Set(outside)).toEqual(new Set(Object.values(STANDALONE.namespaces)));
});

test('a user rule file whose name cannot name a PrometheusRule is refused in operator mode, naming it', () => {
  const chart = new Chart(Testing.app(), 'c');
  expect(() => new OperatorResources(chart, 'o', { config: OPERATOR, targets: [], ruleFiles: { 'user-My_Rules.rules.yaml': 'groups: []\n' }, dashboards: [] })).toThrow(
    'extensions.ruleFiles: cannot name a Kubernetes object in operator mode (lowercase letters, digits and -, at most 63): rename it (got "user-My_Rules.rules.yaml")',
  );
});
