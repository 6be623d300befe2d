import { ComponentName } from '../../common/names';
import { readyCheck, type ComponentProbe } from '../../health/probe';
import { MlflowApi } from './api';

/** MLflow: `/health` (answered once a worker serves; exempt from its Host-header check, so the API server's proxy may call it). */
export const MLFLOW_PROBE: ComponentProbe = {
  component: ComponentName.MLFLOW,
  endpoint: (topology) => topology.endpoint(ComponentName.MLFLOW),
  checks: () => [readyCheck('health', MlflowApi.health)],
};
