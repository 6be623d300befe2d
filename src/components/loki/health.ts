import { ComponentName } from '../../common/names';
import { readyCheck, type ComponentProbe } from '../../health/probe';
import { LokiApi } from './api';

/** Loki: `/ready` (its ring and ingester are up). */
export const LOKI_PROBE: ComponentProbe = {
  component: ComponentName.LOKI,
  endpoint: (topology) => topology.endpoint(ComponentName.LOKI),
  checks: () => [readyCheck('ready', LokiApi.ready)],
};
