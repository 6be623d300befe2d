import type { ComponentSpec, NamespaceTier, WorkloadSpec } from './components/component-spec';
import { Scheme, Topology } from './common/topology';
import { ALERTMANAGER_COMPONENT } from './components/alertmanager/component';
import { DCGM_EXPORTER_COMPONENT } from './components/dcgm-exporter/component';
import { FL_COMPONENT } from './components/fl/component';
import { FLUENTD_COMPONENT } from './components/fluentd/component';
import { GRAFANA_COMPONENT } from './components/grafana/component';
import { KUBE_STATE_METRICS_COMPONENT } from './components/kube-state-metrics/component';
import { LOKI_COMPONENT } from './components/loki/component';
import { MLFLOW_COMPONENT } from './components/mlflow/component';
import { NODE_EXPORTER_COMPONENT } from './components/node-exporter/component';
import { OTEL_COLLECTOR_COMPONENT } from './components/otel-collector/component';
import { PROMETHEUS_COMPONENT } from './components/prometheus/component';
import { PROMTAIL_COMPONENT } from './components/promtail/component';
import { VICTORIA_METRICS_COMPONENT } from './components/victoria-metrics/component';
import { VMAGENT_COMPONENT } from './components/vmagent/component';
import { THANOS_COMPONENT } from './components/thanos/component';
import { THANOS_RULE_COMPONENT } from './components/thanos/rule-component';
import type { StackConfig } from './config/schema';
import type { StackProbe } from './health/probe';

/**
 * Every component of the stack, in the stack's order: the workload and its exporters, the metrics
 * pipeline, the log agents, the UI. Synth, the NetworkPolicies, monitoring collection, the health
 * CLI, the Pulumi program and the live harness all iterate this list; it is the only one.
 * (Charts are numbered by each component's `chartOrder`, not by the position here.)
 */
export const COMPONENTS: readonly ComponentSpec[] = [
  FL_COMPONENT,
  DCGM_EXPORTER_COMPONENT,
  NODE_EXPORTER_COMPONENT,
  KUBE_STATE_METRICS_COMPONENT,
  PROMETHEUS_COMPONENT,
  ALERTMANAGER_COMPONENT,
  LOKI_COMPONENT,
  VICTORIA_METRICS_COMPONENT,
  THANOS_COMPONENT,
  THANOS_RULE_COMPONENT,
  VMAGENT_COMPONENT,
  OTEL_COLLECTOR_COMPONENT,
  PROMTAIL_COMPONENT,
  FLUENTD_COMPONENT,
  MLFLOW_COMPONENT,
  GRAFANA_COMPONENT,
];

/** The namespace of a tier under a config. */
export function tierNamespace(config: StackConfig, tier: NamespaceTier): string {
  return config.namespaces[tier];
}

/** Every workload of every component (enabled or not), with its component. */
export function allWorkloads(components: readonly ComponentSpec[] = COMPONENTS): { readonly component: ComponentSpec; readonly workload: WorkloadSpec }[] {
  return components.flatMap((component) => component.workloads.map((workload) => ({ component, workload })));
}

/** Where the stack's Services answer under a config (every component's, enabled or not). */
export function stackTopology(config: StackConfig, components: readonly ComponentSpec[] = COMPONENTS): Topology {
  return new Topology(
    allWorkloads(components).flatMap(({ workload: w }) =>
      w.servicePort === undefined
        ? []
        : [{ name: w.name, namespace: tierNamespace(config, w.tier), port: w.servicePort, ...((w.webTls ?? false) && config.webTls.enabled ? { scheme: Scheme.HTTPS } : {}) }],
    ),
  );
}

/** Every component's health probes, each enabled with its component. */
export function stackProbes(components: readonly ComponentSpec[] = COMPONENTS): StackProbe[] {
  return components.flatMap((c) => (c.probes ?? []).map((probe) => ({ ...probe, enabled: c.enabled })));
}

/** The workloads `config` deploys, in the stack's order. */
export function deployedWorkloads(config: StackConfig, components: readonly ComponentSpec[] = COMPONENTS): WorkloadSpec[] {
  return components.filter((c) => c.enabled(config)).flatMap((c) => c.workloads);
}
