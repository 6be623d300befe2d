import { ComponentName } from '../../common/names';
import { readyCheck, type ComponentProbe } from '../../health/probe';
import { ThanosApi } from './api';

/** A Thanos component: `/-/ready` on its HTTP port. */
function thanosProbe(component: ComponentName): ComponentProbe {
  return {
    component,
    endpoint: (topology) => topology.endpoint(component),
    checks: () => [readyCheck('ready', ThanosApi.ready)],
  };
}

/** Thanos Rule: `/-/ready`. */
export const THANOS_RULE_PROBE: ComponentProbe = thanosProbe(ComponentName.THANOS_RULE);

export const THANOS_PROBES: readonly ComponentProbe[] = [
  thanosProbe(ComponentName.THANOS_RECEIVE),
  thanosProbe(ComponentName.THANOS_QUERY),
  thanosProbe(ComponentName.THANOS_STORE),
  thanosProbe(ComponentName.THANOS_COMPACT),
];
