import { kubeStateMetricsDashboards } from '../../../src/components/kube-state-metrics/dashboards';
import { DashboardFolder } from '../../../src/monitoring/dashboard';
import { dashboardsProblems } from '../../../src/monitoring/dashboard-check';
import { contextOf, panelsOf, panel, exprsOf, variable } from '../../dashboard-helpers';
import { resolveConfig } from '../../../src/config/loader';
import type { DashboardDef } from '../../../src/monitoring/mixin';

describe('cluster and training-job resources dashboard', () => {
  const ctx = contextOf();
  const [resources] = kubeStateMetricsDashboards(ctx) as [DashboardDef];

  test('one dashboard, fl-cluster-resources, in the Infrastructure folder', () => {
    expect(kubeStateMetricsDashboards(ctx).map((d) => [d.uid, d.title, d.folder])).toEqual([
      ['fl-cluster-resources', 'Cluster and training-job resources', DashboardFolder.INFRASTRUCTURE],
    ]);
  });

  test('no problem', () => {
    expect(dashboardsProblems([resources], ctx)).toEqual([]);
  });

  test('node CPU, memory and network from node-exporter, per node', () => {
    expect(panel(resources, 'Node CPU utilization').targets![0]).toMatchObject({
      expr: '1 - avg by (node) (rate(node_cpu_seconds_total{job="node-exporter", mode="idle", node=~"$node"}[$__rate_interval]))',
      legendFormat: '{{node}}',
    });
    expect(panel(resources, 'Node memory utilization').targets![0]!.expr).toContain('node_memory_MemAvailable_bytes{job="node-exporter", node=~"$node"}');
    expect(panel(resources, 'Node network').targets!.map((t) => t.expr)).toEqual([
      'sum by (node) (rate(node_network_receive_bytes_total{job="node-exporter", node=~"$node"}[$__rate_interval]))',
      'sum by (node) (rate(node_network_transmit_bytes_total{job="node-exporter", node=~"$node"}[$__rate_interval]))',
    ]);
    expect(panel(resources, 'Node network').fieldConfig!.defaults!.unit).toBe('Bps');
  });

  test('pod CPU, memory and network from cAdvisor, per pod of the namespace', () => {
    expect(panel(resources, 'CPU by pod').targets![0]!.expr).toBe(
      'sum by (pod) (rate(container_cpu_usage_seconds_total{container=~".+", metrics_path="/metrics/cadvisor", namespace="$namespace"}[$__rate_interval]))',
    );
    expect(panel(resources, 'Memory working set by pod').targets![0]!.expr).toBe(
      'sum by (pod) (container_memory_working_set_bytes{container=~".+", metrics_path="/metrics/cadvisor", namespace="$namespace"})',
    );
    expect(panel(resources, 'Memory working set by pod').fieldConfig!.defaults!.unit).toBe('bytes');
    expect(panel(resources, 'Network received by pod').targets![0]!.expr).toContain('container_network_receive_bytes_total{metrics_path="/metrics/cadvisor", namespace="$namespace"}');
    expect(panel(resources, 'Network sent by pod').targets![0]!.expr).toContain('container_network_transmit_bytes_total{metrics_path="/metrics/cadvisor", namespace="$namespace"}');
  });

  test('restarts and readiness from kube-state-metrics', () => {
    expect(panel(resources, 'Restarts by pod').targets![0]!.expr).toBe(
      'sum by (pod) (increase(kube_pod_container_status_restarts_total{job="kube-state-metrics", namespace="$namespace"}[$__rate_interval]))',
    );
    const notReady = panelsOf(resources).filter((p) => p.title === 'Pods not ready');
    expect(notReady.map((p) => p.type).sort()).toEqual(['stat', 'timeseries']);
    for (const p of notReady) {
      expect(p.targets![0]!.expr).toContain('kube_pod_status_ready{condition=~"false|unknown", job="kube-state-metrics", namespace="$namespace"}');
    }
  });

  test('node variable from node-exporter; node thresholds from the config', () => {
    expect(variable(resources, 'node')).toMatchObject({ multi: true, query: 'label_values(node_load1{job="node-exporter"}, node)' });
    const config = resolveConfig({ overrides: { thresholds: { nodeCpuUtilization: 0.8 } } });
    const [d] = kubeStateMetricsDashboards(contextOf(config)) as [DashboardDef];
    expect(panel(d, 'Node CPU utilization').fieldConfig!.defaults!.thresholds!.steps[1]).toEqual({ value: 0.8, color: 'red' });
  });

  test('every query selects one of the three exporters (cAdvisor by its kubelet path)', () => {
    for (const expr of exprsOf(resources)) {
      expect(expr).toMatch(/job="(node-exporter|kube-state-metrics)"|metrics_path="\/metrics\/cadvisor"/);
    }
  });
});
