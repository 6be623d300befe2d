import { Ports } from '../../common/names';

/** MLflow's one HTTP port (REST API, UI, artifact proxy, /metrics) and the paths the stack calls. */
export const MlflowApi = {
  port: Ports.mlflow,
  /** Answers `OK` once a worker serves requests; exempt from the Host-header check. */
  health: '/health',
  /** prometheus-flask-exporter's multiprocess exposition (`--expose-prometheus`). */
  metrics: '/metrics',
  /** The REST API's root. */
  rest: '/api/2.0/mlflow',
  /** The artifact proxy's root (`--serve-artifacts`): `<root>/<experiment id>/<run id>/artifacts/<path>`. */
  artifacts: '/api/2.0/mlflow-artifacts/artifacts',
} as const;
