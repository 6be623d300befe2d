import { ComponentName } from '../../common/names';
import { readyCheck, type ComponentProbe } from '../../health/probe';

/** Loki: `/ready` (its ring and ingester are up). */
export const LOKI_PROBE: ComponentProbe = {
  component: ComponentName.LOKI,
  enabled: (config) => config.loki.enabled,
  endpoint: (topology) => topology.loki,
  checks: () => [readyCheck('ready', '/ready')],
};
