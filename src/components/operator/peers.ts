import { ComponentName } from '../../common/names';
import type { StackConfig } from '../../config/schema';

/**
 * The workload of the cluster's operator stack that stands in for a component the stack does not
 * deploy in operator mode (its Prometheus scrapes, its Grafana queries), as a NetworkPolicy peer;
 * undefined for the others.
 */
export function operatorPeer(settings: StackConfig['operator'], source: ComponentName): StackConfig['operator']['prometheus'] | undefined {
  switch (source) {
    case ComponentName.PROMETHEUS:
      return settings.prometheus;
    case ComponentName.GRAFANA:
      return settings.grafana;
    default:
      return undefined;
  }
}
