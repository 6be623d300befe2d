import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import type { StackConfig } from './config/schema';
import { topologyOf } from './common/topology';
import { Namespaces } from './components/namespaces/namespaces';
import { Prometheus } from './components/prometheus/prometheus';
import { collectMonitoring } from './monitoring/collect';

/** Kinds that live outside namespaces: cdk8s would otherwise stamp the chart's namespace on them. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'RuntimeClass']);

/**
 * Builds the whole stack into `app`: one chart (one dist/ file) per component, each receiving its
 * slice of the config. Returns the charts in apply order.
 */
export function buildStack(app: App, config: StackConfig): Chart[] {
  const topology = topologyOf(config);
  const monitoring = collectMonitoring(config);
  const charts: Chart[] = [];
  const chart = (id: string): Chart => {
    const c = new Chart(app, id, { disableResourceNameHashes: true });
    charts.forEach((earlier) => c.addDependency(earlier));
    charts.push(c);
    return c;
  };

  new Namespaces(chart('namespaces'), 'namespaces', { config });
  if (config.prometheus.enabled) {
    new Prometheus(chart('prometheus'), 'prometheus', { config, topology, ruleFiles: monitoring.ruleFiles });
  }

  for (const c of charts) {
    for (const obj of c.node.findAll().filter(ApiObject.isApiObject)) {
      if (CLUSTER_SCOPED.has(obj.kind) && obj.metadata.namespace !== undefined) {
        obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      }
    }
  }
  return charts;
}
