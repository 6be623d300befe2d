import { ComponentName } from '../../common/names';
import { readyCheck, type ComponentProbe } from '../../health/probe';
import { VmagentApi } from './api';

/** vmagent: `/health`. */
export const VMAGENT_PROBE: ComponentProbe = {
  component: ComponentName.VMAGENT,
  endpoint: (topology) => topology.endpoint(ComponentName.VMAGENT),
  checks: () => [readyCheck('health', VmagentApi.health)],
};
