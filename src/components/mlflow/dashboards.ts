import { ComponentName } from '../../common/names';
import type { StackConfig } from '../../config/schema';
import { promQuery, timeseriesPanel, Unit, type RowSpec } from '../../monitoring/dashboard';
import { sel } from '../../monitoring/selectors';
import { MLFLOW_REQUEST_DURATION, MLFLOW_REQUESTS, TRACKING_FAILURES } from './metrics';

const M = ComponentName.MLFLOW;
/** The stack health dashboard's `namespace` is a multi-select. */
const NS = { namespace: '~$namespace' };

/** The queries of the MLflow row (layout below). */
function mlflowQueries() {
  const requests = (extra: Record<string, string> = {}): string => `sum(rate(${sel(MLFLOW_REQUESTS, M, { ...NS, ...extra })}[$__rate_interval]))`;
  const quantile = (q: number): string =>
    `histogram_quantile(${q}, sum by (le) (rate(${sel(`${MLFLOW_REQUEST_DURATION}_bucket`, M, NS)}[$__rate_interval])))`;
  return {
    byStatus: `sum by (status) (rate(${sel(MLFLOW_REQUESTS, M, NS)}[$__rate_interval]))`,
    // No 5xx series until the first server error: count it as zero, not as no data.
    errorRatio: `(${requests({ status: '~5..' })} or vector(0)) / ${requests()}`,
    p50: quantile(0.5),
    p99: quantile(0.99),
    trackingFailures: `sum by (operation) (increase(${sel(TRACKING_FAILURES, ComponentName.FL_SERVER, NS)}[$__rate_interval]))`,
  };
}

/** MLflow's row of the stack health dashboard: its requests, errors, latency, and the FL server's failed calls to it. */
export function mlflowStackHealthRow(config: StackConfig): RowSpec {
  const q = mlflowQueries();
  const { mlflowErrorRatio, mlflowLatencyP99Seconds } = config.thresholds;
  return {
    title: 'MLflow',
    panels: [
      timeseriesPanel('MLflow requests by status', Unit.PER_SECOND, [promQuery(q.byStatus, '{{status}}')], {
        width: 6,
        stack: true,
        description: 'Requests the tracking server answered (the FL server logging its runs, the UI, the artifact proxy).',
      }),
      timeseriesPanel('MLflow server errors', Unit.RATIO, [promQuery(q.errorRatio, '5xx')], {
        width: 6,
        min: 0,
        threshold: { value: mlflowErrorRatio },
        description: `Fraction of requests answered with 5xx; dashed line: MLflowRequestErrors (${mlflowErrorRatio}).`,
      }),
      timeseriesPanel('MLflow request latency', Unit.SECONDS, [promQuery(q.p50, 'p50'), promQuery(q.p99, 'p99')], {
        width: 6,
        threshold: { value: mlflowLatencyP99Seconds },
        description: `Dashed line: MLflowSlowRequests (p99 above ${mlflowLatencyP99Seconds}s).`,
      }),
      timeseriesPanel('FL server → MLflow failed calls', Unit.NONE, [promQuery(q.trackingFailures, '{{operation}}')], {
        width: 6,
        bars: true,
        stack: true,
        description: 'Calls of the FL server to MLflow that failed, per interval (training goes on; FlExperimentTrackingFailing).',
      }),
    ],
  };
}
