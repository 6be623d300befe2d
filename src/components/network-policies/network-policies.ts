import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { selectorLabels } from '../../common/labels';
import { ComponentName, PART_OF, Ports } from '../../common/names';
import { k8s } from '../../k8s';

/** Traffic from outside the stack: users reaching a UI through its Service (port-forward, ingress). */
export const ANYWHERE = 'anywhere';

/** One allowed connection: from a component (or anywhere) to a component's port. */
export interface Flow {
  readonly from: ComponentName | typeof ANYWHERE;
  readonly to: ComponentName;
  readonly port: number;
}

/** The namespace each component runs in. */
export function namespaceOf(config: StackConfig, name: ComponentName): string {
  switch (name) {
    case ComponentName.FL_SERVER:
    case ComponentName.FL_CLIENT:
      return config.namespaces.training;
    case ComponentName.NODE_EXPORTER:
    case ComponentName.PROMTAIL:
    case ComponentName.OTEL_COLLECTOR:
    case ComponentName.FLUENTD:
    case ComponentName.DCGM_EXPORTER:
      return config.namespaces.agents;
    default:
      return config.namespaces.monitoring;
  }
}

function enabled(config: StackConfig, name: ComponentName): boolean {
  switch (name) {
    case ComponentName.FL_SERVER:
    case ComponentName.FL_CLIENT:
      return config.fl.enabled;
    case ComponentName.PROMETHEUS:
      return config.prometheus.enabled;
    case ComponentName.GRAFANA:
      return config.grafana.enabled;
    case ComponentName.LOKI:
      return config.loki.enabled;
    case ComponentName.PROMTAIL:
      return config.promtail.enabled;
    case ComponentName.ALERTMANAGER:
      return config.alertmanager.enabled;
    case ComponentName.VICTORIA_METRICS:
      return config.victoriaMetrics.enabled;
    case ComponentName.DCGM_EXPORTER:
      return config.dcgmExporter.enabled;
    case ComponentName.FLUENTD:
      return config.fluentd.enabled;
    case ComponentName.NODE_EXPORTER:
      return config.nodeExporter.enabled;
    case ComponentName.KUBE_STATE_METRICS:
      return config.kubeStateMetrics.enabled;
    case ComponentName.OTEL_COLLECTOR:
      return config.otelCollector.enabled;
  }
}

/** Metrics port of each scraped component. node-exporter is absent: on hostNetwork, policies do not apply to it. */
const SCRAPE_PORTS: ReadonlyArray<readonly [ComponentName, number]> = [
  [ComponentName.FL_SERVER, Ports.flMetrics],
  [ComponentName.FL_CLIENT, Ports.flMetrics],
  [ComponentName.PROMETHEUS, Ports.prometheus],
  [ComponentName.ALERTMANAGER, Ports.alertmanager],
  [ComponentName.VICTORIA_METRICS, Ports.victoriaMetrics],
  [ComponentName.GRAFANA, Ports.grafana],
  [ComponentName.LOKI, Ports.loki],
  [ComponentName.PROMTAIL, Ports.promtail],
  [ComponentName.OTEL_COLLECTOR, Ports.otelCollectorMetrics],
  [ComponentName.FLUENTD, Ports.fluentdMetrics],
  [ComponentName.KUBE_STATE_METRICS, Ports.kubeStateMetrics],
  [ComponentName.KUBE_STATE_METRICS, Ports.kubeStateMetricsTelemetry],
  [ComponentName.DCGM_EXPORTER, Ports.dcgmExporter],
];

/** Every flow the stack needs, for the enabled components only. */
export function stackFlows(config: StackConfig): Flow[] {
  const P = ComponentName.PROMETHEUS;
  const flows: Flow[] = [
    ...SCRAPE_PORTS.map(([to, port]) => ({ from: P, to, port })),
    { from: ComponentName.GRAFANA, to: P, port: Ports.prometheus },
    { from: ComponentName.GRAFANA, to: ComponentName.VICTORIA_METRICS, port: Ports.victoriaMetrics },
    { from: ComponentName.GRAFANA, to: ComponentName.LOKI, port: Ports.loki },
    { from: ComponentName.GRAFANA, to: ComponentName.ALERTMANAGER, port: Ports.alertmanager },
    { from: P, to: ComponentName.VICTORIA_METRICS, port: Ports.victoriaMetrics },
    { from: ComponentName.PROMTAIL, to: ComponentName.LOKI, port: Ports.loki },
    { from: ComponentName.OTEL_COLLECTOR, to: ComponentName.LOKI, port: Ports.loki },
    { from: ComponentName.FLUENTD, to: ComponentName.LOKI, port: Ports.loki },
    { from: ComponentName.FL_CLIENT, to: ComponentName.FL_SERVER, port: Ports.flFleet },
    { from: ComponentName.ALERTMANAGER, to: ComponentName.ALERTMANAGER, port: Ports.alertmanagerCluster },
    { from: ANYWHERE, to: ComponentName.GRAFANA, port: Ports.grafana },
    { from: ANYWHERE, to: P, port: Ports.prometheus },
    { from: ANYWHERE, to: ComponentName.ALERTMANAGER, port: Ports.alertmanager },
  ];
  return flows.filter((f) => enabled(config, f.to) && (f.from === ANYWHERE || enabled(config, f.from)));
}

/** Props of {@link NetworkPolicies}. */
export interface NetworkPoliciesProps {
  readonly config: StackConfig;
}

/**
 * Default-deny ingress in each of the stack's namespaces, then one policy per component admitting
 * exactly its flows. (Egress stays open: scrapes, pushes and DNS leave freely.)
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { config } = props;
    const labels = { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' };
    for (const ns of [config.namespaces.monitoring, config.namespaces.agents, config.namespaces.training]) {
      new k8s.KubeNetworkPolicy(this, `deny-${ns}`, {
        metadata: { name: 'default-deny-ingress', namespace: ns, labels },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
    }
    const flows = stackFlows(config);
    const targets = [...new Set(flows.map((f) => f.to))];
    for (const to of targets) {
      const ports = [...new Set(flows.filter((f) => f.to === to).map((f) => f.port))];
      new k8s.KubeNetworkPolicy(this, `allow-${to}`, {
        metadata: { name: `allow-${to}`, namespace: namespaceOf(config, to), labels: { ...labels, 'app.kubernetes.io/name': to } },
        spec: {
          podSelector: { matchLabels: selectorLabels(to) },
          policyTypes: ['Ingress'],
          ingress: ports.map((port) => {
            const sources = [...new Set(flows.filter((f) => f.to === to && f.port === port).map((f) => f.from))];
            return {
              ports: [{ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }],
              ...(sources.includes(ANYWHERE)
                ? {}
                : {
                    from: sources.map((from) => ({
                      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespaceOf(config, from as ComponentName) } },
                      podSelector: { matchLabels: selectorLabels(from as ComponentName) },
                    })),
                  }),
            };
          }),
        },
      });
    }
  }
}
