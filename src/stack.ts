import { tmpdir } from 'node:os';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import type { BuildContext, ComponentSpec, FlowSource } from './components/component-spec';
import { ANYWHERE, UI_ACCESS } from './components/component-spec';
import { WORKLOAD_KINDS, type ComponentName } from './common/names';
import { selectorLabels } from './common/labels';
import { allWorkloads, COMPONENTS, stackTopology, tierNamespace } from './component-list';
import { Namespaces } from './components/namespaces/namespaces';
import { UiIngresses, type UiRoute } from './components/ingress/ingress';
import { ConfigError } from './config/loader';
import { NetworkPolicies, type PolicyPeer, type PolicyTarget } from './components/network-policies/network-policies';
import { OperatorResources, scrapedWorkloads } from './components/operator/operator';
import { operatorPeer } from './components/operator/peers';
import { StackMode, type StackConfig } from './config/schema';
import type { ManifestObject } from './common/manifest';
import type { ScrapeConfig } from './common/scrape-config';
import type { Topology } from './common/topology';
import { expectedObjectsOf, type ExpectedObjects } from './health/expected';
import { collectMonitoring } from './monitoring/collect';
import { readExtensionFiles } from './extensions';

/** Kinds that live outside namespaces: cdk8s would otherwise stamp the chart's namespace on them. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'RuntimeClass', 'PriorityClass']);

/** Chart numbers of the charts every config has (components carry their own `chartOrder`). */
const NAMESPACES_CHART = 0;
const NETWORK_POLICIES_CHART = 1;
/** The Ingresses of the exposed UIs: applied after the Services they route to. */
const INGRESSES_CHART = 90;
/** Operator mode's PodMonitors, PrometheusRules and dashboard ConfigMaps: applied after what they watch. */
const OPERATOR_CHART = 91;

/** What a build of the stack produced, besides the charts in the app. */
export interface StackBuild {
  /** The charts in apply order (namespaces first). */
  readonly charts: readonly Chart[];
  /** Things a reviewer should know, printed by synth. */
  readonly warnings: readonly string[];
}

/**
 * The NetworkPolicy targets of the deployed workloads: each with the ports it accepts and, per port,
 * the deployed sources (a port left without source is closed; a workload without port gets no policy).
 */
export function policyTargets(config: StackConfig, components: readonly ComponentSpec[] = COMPONENTS): PolicyTarget[] {
  const deployed = allWorkloads(components).filter(({ component }) => component.enabled(config));
  const namespaceOf = new Map<ComponentName, string>(deployed.map(({ workload: w }) => [w.name, tierNamespace(config, w.tier)]));
  const exposed = new Set(config.ingress.enabled ? Object.keys(config.ingress.hosts) : []);
  const apiServer = config.networkPolicies.apiServerCidrs.map((cidr) => ({ cidr }));
  // A source the stack does not deploy is left out, unless the cluster's operator stack runs it.
  const peersOf = (from: FlowSource, target: ComponentName): PolicyPeer[] => {
    if (from === ANYWHERE) return [ANYWHERE];
    if (from === UI_ACCESS) return [...(exposed.has(target) ? [config.ingress.controller] : []), ...apiServer];
    const namespace = namespaceOf.get(from);
    if (namespace !== undefined) return [{ namespace, podLabels: selectorLabels(from) }];
    const peer = config.mode === StackMode.OPERATOR ? operatorPeer(config.operator, from) : undefined;
    return peer === undefined ? [] : [peer];
  };
  return deployed.flatMap(({ workload: w }) => {
    const ports = (w.ingress ?? [])
      .map((p) => ({ port: p.port, from: p.from.flatMap((from) => peersOf(from, w.name)) }))
      .filter((p) => p.from.length > 0);
    return ports.length === 0 ? [] : [{ name: w.name, namespace: namespaceOf.get(w.name)!, ports }];
  });
}

/**
 * The UIs `ingress.hosts` exposes, with their Services. A host for a workload that has no UI, or that
 * this config does not deploy, is refused with the field named.
 */
export function uiRoutes(config: StackConfig, topology: Topology, components: readonly ComponentSpec[] = COMPONENTS): UiRoute[] {
  if (!config.ingress.enabled) return [];
  const uis = allWorkloads(components).filter(({ component, workload }) => (workload.ui ?? false) && component.enabled(config));
  return Object.entries(config.ingress.hosts).map(([name, host]) => {
    const ui = uis.find(({ workload }) => workload.name === name);
    if (ui === undefined) {
      const offered = uis.map(({ workload }) => workload.name).join(', ');
      throw new ConfigError([{ path: `ingress.hosts.${name}`, value: host, message: `${name} is not a UI this config deploys (its UIs: ${offered})` }], 'ingress');
    }
    return { name: ui.workload.name, host, endpoint: topology.endpoint(ui.workload.name) };
  });
}

/**
 * Builds the whole stack into `app`: the namespaces, the NetworkPolicies, then one chart (one dist/
 * file) per enabled component, each built by its component spec from the context resolved here.
 */
export function buildStack(app: App, config: StackConfig, components: readonly ComponentSpec[] = COMPONENTS): StackBuild {
  const monitoring = collectMonitoring(config, components, readExtensionFiles(config));
  const topology = stackTopology(config, components);
  const routes = uiRoutes(config, topology, components);
  let scrapeJobs: readonly ScrapeConfig[] | undefined;
  const ctx: BuildContext = {
    config,
    namespace: (tier) => tierNamespace(config, tier),
    topology,
    scrapeJobs: () => (scrapeJobs ??= components.flatMap((c) => c.scrapeJobs?.(config, topology) ?? [])),
    ruleFiles: Object.fromEntries(Object.entries(monitoring.ruleFiles).filter(([name]) => !monitoring.federationRuleNames.has(name))),
    federationRuleFiles: Object.fromEntries(Object.entries(monitoring.ruleFiles).filter(([name]) => monitoring.federationRuleNames.has(name))),
    dashboards: monitoring.dashboards,
  };
  // One file per chart, `NN-name.k8s.yaml`, so `kubectl apply -f dist/` creates namespaces first.
  // The number is fixed per component (not a running index) so enabling one component never renames
  // another's file or construct paths. No chart dependencies: cdk8s turns each into object-to-object
  // edges whose ordering walk grows exponentially with the chart count.
  const chart = (order: number, id: string): Chart => new Chart(app, `${String(order).padStart(2, '0')}-${id}`, { disableResourceNameHashes: true });
  const charts: Chart[] = [];
  const namespaces = chart(NAMESPACES_CHART, 'namespaces');
  new Namespaces(namespaces, 'namespaces', { config });
  const policies = chart(NETWORK_POLICIES_CHART, 'network-policies');
  new NetworkPolicies(policies, 'network-policies', { config, targets: policyTargets(config, components) });
  charts.push(namespaces, policies);
  for (const component of [...components].sort((a, b) => a.chartOrder - b.chartOrder).filter((c) => c.enabled(config))) {
    const c = chart(component.chartOrder, component.id);
    component.build(c, ctx);
    charts.push(c);
  }
  if (routes.length > 0) {
    const ingresses = chart(INGRESSES_CHART, 'ingresses');
    new UiIngresses(ingresses, 'ingresses', { settings: config.ingress, routes });
    charts.push(ingresses);
  }
  if (config.mode === StackMode.OPERATOR) {
    // The scrape targets are read from the synthesized pod templates: exactly what the standalone
    // Prometheus would discover by their annotations.
    const workloads = charts.flatMap((c) => c.node.findAll().filter(ApiObject.isApiObject).filter((o) => WORKLOAD_KINDS.has(o.kind)).map((o) => o.toJson() as ManifestObject));
    const operator = chart(OPERATOR_CHART, 'prometheus-operator');
    new OperatorResources(operator, 'prometheus-operator', { config, targets: scrapedWorkloads(workloads), ruleFiles: ctx.ruleFiles, dashboards: monitoring.dashboards });
    charts.push(operator);
  }
  const warnings = [
    ...components.flatMap((c) => c.warnings?.(config) ?? []),
    ...monitoring.warnings,
    ...(config.ingress.enabled && routes.length === 0 ? ['ingress.enabled is true but ingress.hosts names no UI: no Ingress is made'] : []),
  ];

  for (const c of charts) {
    for (const obj of c.node.findAll().filter(ApiObject.isApiObject)) {
      if (CLUSTER_SCOPED_KINDS.has(obj.kind) && obj.metadata.namespace !== undefined) {
        obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      }
    }
  }
  return { charts, warnings };
}

/** The workloads and Services the stack deploys for `config`, read from the synthesized objects. */
export function stackExpectedObjects(config: StackConfig): ExpectedObjects {
  return expectedObjectsOf(buildStack(new App({ outdir: tmpdir() }), config).charts.flatMap((c) => c.toJson() as ManifestObject[]));
}
