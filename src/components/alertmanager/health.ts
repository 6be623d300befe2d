import { ComponentName } from '../../common/names';
import { parseJson, readyCheck, type ComponentProbe, type HttpCheck } from '../../health/probe';
import { ok, warning } from '../../health/status';
import { AlertmanagerApi } from './api';

const STATUS_PATH = '/api/v2/status';

/** With replicas > 1, every replica must have joined the gossip cluster. */
function clusterCheck(replicas: number): HttpCheck {
  return {
    name: 'cluster',
    path: STATUS_PATH,
    evaluate: (res) => {
      const parsed = parseJson<{ cluster: { status: string; peers?: unknown[] } }>(res, STATUS_PATH);
      if ('failure' in parsed) {
        return parsed.failure;
      }
      const { status, peers } = parsed.value.cluster;
      const count = peers?.length ?? 0;
      if (replicas === 1) {
        return ok(`single replica (cluster ${status})`);
      }
      if (status !== 'ready' || count < replicas) {
        return warning(`cluster ${status} with ${count}/${replicas} peers (alertmanager.replicas)`);
      }
      return ok(`cluster ready with ${count}/${replicas} peers`);
    },
  };
}

/** Alertmanager: ready, and clustered when replicated. */
export const ALERTMANAGER_PROBE: ComponentProbe = {
  component: ComponentName.ALERTMANAGER,
  endpoint: (topology) => topology.endpoint(ComponentName.ALERTMANAGER),
  checks: (config) => [readyCheck('ready', AlertmanagerApi.ready), clusterCheck(config.alertmanager.replicas)],
};
