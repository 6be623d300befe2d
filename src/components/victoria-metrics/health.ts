import { ComponentName } from '../../common/names';
import { readyCheck, type ComponentProbe } from '../../health/probe';

/** VictoriaMetrics: `/health`. */
export const VICTORIA_METRICS_PROBE: ComponentProbe = {
  component: ComponentName.VICTORIA_METRICS,
  enabled: (config) => config.victoriaMetrics.enabled,
  endpoint: (topology) => topology.victoriaMetrics,
  checks: () => [readyCheck('health', '/health')],
};
