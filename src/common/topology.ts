import type { StackConfig } from '../config/schema';
import { ComponentName, Ports } from './names';

/** Where a component's Service answers inside the cluster. */
export interface Endpoint {
  readonly service: string;
  readonly namespace: string;
  readonly port: number;
}

/** `http://service.namespace.svc:port` plus an optional path. */
export function endpointUrl(endpoint: Endpoint, path = ''): string {
  return `http://${endpoint.service}.${endpoint.namespace}.svc:${endpoint.port}${path}`;
}

/**
 * The in-cluster addresses of the stack's services, derived once from the config so that no
 * component spells another component's Service name or namespace.
 */
export interface Topology {
  readonly prometheus: Endpoint;
  readonly alertmanager: Endpoint;
  readonly grafana: Endpoint;
  readonly loki: Endpoint;
  readonly victoriaMetrics: Endpoint;
  readonly flServer: Endpoint;
}

export function topologyOf(config: StackConfig): Topology {
  const monitoring = config.namespaces.monitoring;
  return {
    prometheus: { service: ComponentName.PROMETHEUS, namespace: monitoring, port: Ports.prometheus },
    alertmanager: { service: ComponentName.ALERTMANAGER, namespace: monitoring, port: Ports.alertmanager },
    grafana: { service: ComponentName.GRAFANA, namespace: monitoring, port: Ports.grafana },
    loki: { service: ComponentName.LOKI, namespace: monitoring, port: Ports.loki },
    victoriaMetrics: { service: ComponentName.VICTORIA_METRICS, namespace: monitoring, port: Ports.victoriaMetrics },
    flServer: { service: ComponentName.FL_SERVER, namespace: config.namespaces.training, port: Ports.flFleet },
  };
}
