import { ComponentName } from '../../common/names';
import { counterIncreasing, targetDown } from '../../monitoring/alert-presets';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { mlflowStackHealthRow } from './dashboards';
import { MLFLOW_METRICS, MLFLOW_REQUEST_DURATION, MLFLOW_REQUESTS, TRACKING_FAILURES } from './metrics';

const M = ComponentName.MLFLOW;
/** The window of the request-rate ratios and quantiles. */
const WINDOW = '5m';

/** 5xx responses over all responses, per namespace. */
function errorRatioExpr(): string {
  const rate = (extra: Record<string, string>): string => `sum by (namespace) (rate(${sel(MLFLOW_REQUESTS, M, extra)}[${WINDOW}]))`;
  return `${rate({ status: '~5..' })} / ${rate({})}`;
}

/** The p99 request duration, per namespace. */
function latencyP99Expr(): string {
  return `histogram_quantile(0.99, sum by (le, namespace) (rate(${sel(`${MLFLOW_REQUEST_DURATION}_bucket`, M)}[${WINDOW}])))`;
}

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const { namespaces, thresholds } = ctx.config;
  const ns = namespaces.monitoring;
  const pod = { namespace: ns, pod: 'mlflow-0' };
  const requests = (status: string): string => series(MLFLOW_REQUESTS, M, { ...pod, method: 'POST', status });
  const bucket = (le: number | '+Inf'): string => series(`${MLFLOW_REQUEST_DURATION}_bucket`, M, { ...pod, method: 'POST', status: '200', mlflow_version: '3.17.2', le: String(le) });
  const slow = thresholds.mlflowLatencyP99Seconds;
  const percent = Math.round(thresholds.mlflowErrorRatio * 100);
  return [
    new RuleGroupBuilder('mlflow.alerts', ctx.catalog, ctx.recorded)
      .alert(
        targetDown({
          alert: 'MLflowDown',
          component: M,
          namespace: ns,
          severity: 'warning',
          summary: 'MLflow is down: federations are not tracked.',
          description: 'MLflow {{ $labels.namespace }}/{{ $labels.pod }} has not answered scrapes for 5 minutes.',
          impact:
            'Training goes on (the FL server never waits on MLflow), but the runs of the federations in progress miss their metrics, checkpoints and final status while it is down; the UI and its run links do not open.',
          mitigation:
            "Check the mlflow pod (`kubectl -n <monitoring namespace> describe pod mlflow-0`): a first start migrates the database and takes about a minute (startup probe); a full volume (PersistentVolumeLowOnSpace) or an unreachable PostgreSQL/S3 Secret stops it. Its log names the store that fails.",
        }),
      )
      .alert({
        alert: 'MLflowRequestErrors',
        expr: `${errorRatioExpr()} > ${thresholds.mlflowErrorRatio}`,
        for: '10m',
        severity: 'warning',
        summary: `More than ${percent}% of MLflow's requests fail with a server error.`,
        description: "MLflow in {{ $labels.namespace }} answers too many requests with 5xx; the FL server's logging calls are among them.",
        impact: 'Run metrics, parameters or checkpoints are lost for the calls that fail (the FL server counts them in fl_mlflow_failures_total and goes on).',
        mitigation:
          "Read the mlflow log for the tracebacks: a locked or full SQLite database (one writer; move `mlflow.backendStore` to PostgreSQL under load), a PostgreSQL or S3 store that refuses the Secret's credentials, an artifact larger than the server's scratch space.",
        diagnose: [`sum by (method, status) (rate(${sel(MLFLOW_REQUESTS, M)}[${WINDOW}]))`],
        test: {
          firing: { series: [{ series: requests('200'), values: '0+10x40' }, { series: requests('500'), values: '0+5x40' }], at: '30m', labels: { namespace: ns } },
          quiet: { series: [{ series: requests('200'), values: '0+10x40' }, { series: requests('500'), values: '0x40' }], at: '30m' },
        },
      })
      .alert({
        alert: 'MLflowSlowRequests',
        expr: `${latencyP99Expr()} > ${slow}`,
        for: '10m',
        severity: 'warning',
        summary: `MLflow's p99 request duration is above ${slow} seconds.`,
        description: 'Requests to MLflow in {{ $labels.namespace }} have become slow.',
        impact: "The FL server's calls wait longer (each is bounded by its timeout, after which it counts as failed); the UI is sluggish.",
        mitigation:
          'Look for CPU throttling of the mlflow pod and for large artifact uploads (per-round checkpoints of a large model: raise `mlflow.checkpointEveryRounds`); add `mlflow.workers` (about 250 MiB each) or move the metadata to PostgreSQL.',
        test: {
          firing: {
            series: [
              { series: bucket(slow), values: '0x40' },
              { series: bucket(slow * 5), values: '0+1x40' },
              { series: bucket('+Inf'), values: '0+1x40' },
            ],
            at: '30m',
            labels: { namespace: ns },
          },
          quiet: {
            series: [
              { series: bucket(slow), values: '0+1x40' },
              { series: bucket(slow * 5), values: '0+1x40' },
              { series: bucket('+Inf'), values: '0+1x40' },
            ],
            at: '30m',
          },
        },
      })
      .alert(
        counterIncreasing({
          alert: 'FlExperimentTrackingFailing',
          component: ComponentName.FL_SERVER,
          metric: TRACKING_FAILURES,
          by: ['namespace', 'operation'],
          example: { namespace: namespaces.training, operation: 'log_batch' },
          severity: 'warning',
          for: '5m',
          summary: 'The FL server cannot log the federation to MLflow.',
          description: 'The FL server in {{ $labels.namespace }} keeps failing to {{ $labels.operation }} in MLflow; training goes on, its MLflow run is incomplete.',
          impact:
            'The federation trains as usual, but its MLflow run misses parameters, per-round metrics (kept and sent once MLflow answers again), checkpoints or its final status.',
          mitigation:
            "The FL server's warnings (event `mlflow_failure`) name the call and the error. MLflow down or slow: see MLflowDown and MLflowSlowRequests. `connection refused` with MLflow up: the NetworkPolicy from fl-server to mlflow. HTTP 403: the server refuses the Host header (`mlflow.url`, the Service name).",
        }),
      ),
  ];
}

/** MLflow's monitoring: its exporter's metrics, its own alerts and the FL server's tracking failures. */
export const MLFLOW_MIXIN: Mixin = {
  name: 'mlflow',
  metrics: MLFLOW_METRICS,
  alertingRules: alerting,
  stackHealthRows: (ctx) => [mlflowStackHealthRow(ctx.config)],
};
