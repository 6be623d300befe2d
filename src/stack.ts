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
import { NodeExporter } from './components/node-exporter/node-exporter';
import { Prometheus } from './components/prometheus/prometheus';
import { Promtail } from './components/promtail/promtail';
import { VictoriaMetrics } from './components/victoria-metrics/victoria-metrics';
import { collectMonitoring } from './monitoring/collect';

/** Kinds that live outside namespaces: cdk8s would otherwise stamp the chart's namespace on them. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'RuntimeClass', 'PriorityClass']);

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
  const chart = (id: string): Chart => {
    const c = new Chart(app, id, { disableResourceNameHashes: true });
    charts.forEach((earlier) => c.addDependency(earlier));
    charts.push(c);
    return c;
  };

  new Namespaces(chart('namespaces'), 'namespaces', { config });
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
  if (!config.loki.enabled && (config.promtail.enabled || (config.fluentd.enabled && config.fluentd.output.type === 'loki'))) {
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
