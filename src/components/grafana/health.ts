import { ComponentName } from '../../common/names';
import { httpFailure, type ComponentProbe, type HttpCheck } from '../../health/probe';
import { critical, ok } from '../../health/status';
import { GrafanaApi } from './api';

const HEALTH_PATH = GrafanaApi.health;

/** The body of Grafana's `/api/health`. */
interface GrafanaHealth {
  /** `ok`, or `failing` (then the answer is a 503). */
  readonly database?: string;
  readonly version?: string;
}

function parse(body: string): GrafanaHealth | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null && 'database' in value ? (value as GrafanaHealth) : undefined;
  } catch {
    return undefined;
  }
}

/** `/api/health` answers 200 `{"database": "ok", …}` when Grafana and its database work, 503 `failing` when not. */
function healthCheck(): HttpCheck {
  return {
    name: 'health',
    path: HEALTH_PATH,
    evaluate: (res) => {
      const health = parse(res.body);
      if (health === undefined) {
        return critical(`${HEALTH_PATH}: ${httpFailure(res)}`);
      }
      return res.status === 200 && health.database === 'ok'
        ? ok(`database ok, version ${health.version ?? 'unknown'}`)
        : critical(`${HEALTH_PATH}: HTTP ${res.status}, database ${health.database ?? 'unknown'}`);
    },
  };
}

/** Grafana: its health API. */
export const GRAFANA_PROBE: ComponentProbe = {
  component: ComponentName.GRAFANA,
  endpoint: (topology) => topology.endpoint(ComponentName.GRAFANA),
  checks: () => [healthCheck()],
};
