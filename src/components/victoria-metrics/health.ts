import { ComponentName } from '../../common/names';
import { readyCheck, type ComponentProbe } from '../../health/probe';
import { VictoriaMetricsApi } from './api';

/** VictoriaMetrics: `/health`. */
export const VICTORIA_METRICS_PROBE: ComponentProbe = {
  component: ComponentName.VICTORIA_METRICS,
  endpoint: (topology) => topology.endpoint(ComponentName.VICTORIA_METRICS),
  checks: () => [readyCheck('health', VictoriaMetricsApi.health)],
};
