import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import type { StackConfig } from './config/schema';
import { topologyOf } from './common/topology';
import { Alertmanager } from './components/alertmanager/alertmanager';
import { DcgmExporter } from './components/dcgm-exporter/dcgm-exporter';
import { FlClients, FlServer } from './components/fl/fl';
import { Fluentd } from './components/fluentd/fluentd';
import { Grafana } from './components/grafana/grafana';
import { KubeStateMetrics } from './components/kube-state-metrics/kube-state-metrics';
import { Loki } from './components/loki/loki';
import { Namespaces } from './components/namespaces/namespaces';
import { NetworkPolicies } from './components/network-policies/network-policies';
import { NodeExporter } from './components/node-exporter/node-exporter';
import { OtelCollector } from './components/otel-collector/otel-collector';
import { Prometheus } from './components/prometheus/prometheus';
import { Promtail } from './components/promtail/promtail';
import { VictoriaMetrics } from './components/victoria-metrics/victoria-metrics';
import { collectMonitoring } from './monitoring/collect';

/** Kinds that live outside namespaces: cdk8s would otherwise stamp the chart's namespace on them. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'RuntimeClass', 'PriorityClass']);

/** The apply order of the charts. */
const CHART_ORDER = {
  namespaces: 0,
  'network-policies': 1,
  fl: 10,
  prometheus: 20,
  alertmanager: 21,
  'victoria-metrics': 22,
  grafana: 23,
  loki: 24,
  promtail: 30,
  fluentd: 31,
  'node-exporter': 32,
  'kube-state-metrics': 33,
  'dcgm-exporter': 34,
  'otel-collector': 35,
} as const;

/** What a build of the stack produced, besides the charts in the app. */
export interface StackBuild {
  /** The charts in apply order (namespaces first). */
  readonly charts: readonly Chart[];
  /** Things a reviewer should know, printed by synth. */
  readonly warnings: readonly string[];
}

/**
 * Builds the whole stack into `app`: one chart (one dist/ file) per enabled component, each
 * construct receiving the config (it reads its own slice) and the shared topology.
 */
export function buildStack(app: App, config: StackConfig): StackBuild {
  const topology = topologyOf(config);
  const monitoring = collectMonitoring(config);
  const charts: Chart[] = [];
  const warnings: string[] = [];
  // One file per chart, `NN-name.k8s.yaml`, so `kubectl apply -f dist/` creates namespaces first.
  // The number is fixed per component (not a running index) so enabling one component never renames
  // another's file or construct paths. No chart dependencies: cdk8s turns each into object-to-object
  // edges whose ordering walk grows exponentially with the chart count.
  const chart = (id: keyof typeof CHART_ORDER): Chart => {
    const c = new Chart(app, `${String(CHART_ORDER[id]).padStart(2, '0')}-${id}`, { disableResourceNameHashes: true });
    charts.push(c);
    return c;
  };

  new Namespaces(chart('namespaces'), 'namespaces', { config });
  new NetworkPolicies(chart('network-policies'), 'network-policies', { config });
  if (config.fl.enabled) {
    const fl = chart('fl');
    new FlServer(fl, 'server', { config });
    new FlClients(fl, 'clients', { config, topology });
  }
  if (config.prometheus.enabled) {
    new Prometheus(chart('prometheus'), 'prometheus', { config, topology, ruleFiles: monitoring.ruleFiles });
  }
  if (config.alertmanager.enabled) {
    new Alertmanager(chart('alertmanager'), 'alertmanager', { config });
  }
  if (config.victoriaMetrics.enabled) {
    new VictoriaMetrics(chart('victoria-metrics'), 'victoria-metrics', { config });
  }
  if (config.grafana.enabled) {
    new Grafana(chart('grafana'), 'grafana', { config, topology, dashboards: monitoring.dashboards });
  }
  if (config.loki.enabled) {
    new Loki(chart('loki'), 'loki', { config });
  }
  if (config.promtail.enabled) {
    new Promtail(chart('promtail'), 'promtail', { config, topology });
    warnings.push(Promtail.DEPRECATION);
  }
  if (config.otelCollector.enabled) {
    new OtelCollector(chart('otel-collector'), 'otel-collector', { config, topology });
  }
  if (config.fluentd.enabled) {
    new Fluentd(chart('fluentd'), 'fluentd', { config, topology });
  }
  if (config.nodeExporter.enabled) {
    new NodeExporter(chart('node-exporter'), 'node-exporter', { config });
  }
  if (config.kubeStateMetrics.enabled) {
    new KubeStateMetrics(chart('kube-state-metrics'), 'kube-state-metrics', { config });
  }
  if (config.dcgmExporter.enabled) {
    new DcgmExporter(chart('dcgm-exporter'), 'dcgm-exporter', { config });
  }
  const shipsToLoki = config.otelCollector.enabled || config.promtail.enabled || (config.fluentd.enabled && config.fluentd.output.type === 'loki');
  if (!config.loki.enabled && shipsToLoki) {
    warnings.push('loki is disabled but a log agent ships to it: its pushes will fail');
  }

  for (const c of charts) {
    for (const obj of c.node.findAll().filter(ApiObject.isApiObject)) {
      if (CLUSTER_SCOPED_KINDS.has(obj.kind) && obj.metadata.namespace !== undefined) {
        obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      }
    }
  }
  return { charts, warnings };
}
