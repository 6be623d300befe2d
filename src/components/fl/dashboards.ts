import { ComponentName } from '../../common/names';
import { ROUND_DURATION_P95 } from './metrics';
import { roundDurationThresholdSeconds } from './round-duration';
import {
  dashboard,
  dashboardDef,
  DashboardFolder,
  defaultMetricsDatasource,
  labelValues,
  promQuery,
  recordedSel,
  SITE_SCOPE,
  statPanel,
  timeseriesPanel,
  Unit,
  type DataLink,
} from '../../monitoring/dashboard';
import type { DashboardDef, MixinContext } from '../../monitoring/mixin';
import { sel } from '../../monitoring/selectors';

const S = ComponentName.FL_SERVER;
const C = ComponentName.FL_CLIENT;
/** The selected namespace's series, of the selected sites (a site's clients ship theirs with a `site` label). */
const NS = { namespace: '$namespace', ...SITE_SCOPE };
/** Client panels: the pods picked in the `client` variable. */
const CLIENTS = { ...NS, pod: '~$client' };

/** The queries of the FL dashboards (layout below). */
function flQueries(ctx: MixinContext) {
  const server = (metric: string) => sel(metric, S, NS);
  const client = (metric: string) => sel(metric, C, CLIENTS);
  const perClient = 'pod, client_index';
  return {
    currentRound: `max(${server('fl_current_round')})`,
    roundsCompleted: `sum(${server('fl_rounds_completed_total')})`,
    roundsFailed: `sum(${server('fl_rounds_failed_total')})`,
    roundsCompletedPerInterval: `sum(increase(${server('fl_rounds_completed_total')}[$__rate_interval]))`,
    roundsFailedPerInterval: `sum(increase(${server('fl_rounds_failed_total')}[$__rate_interval]))`,
    trainLoss: `max(${server('fl_train_loss')})`,
    evalLoss: `max(${server('fl_eval_loss')})`,
    accuracy: `max(${server('fl_accuracy')})`,
    bestAccuracy: `max(${server('fl_best_accuracy')})`,
    activeClients: `sum(${server('fl_active_clients')})`,
    totalClients: `sum(${server('fl_total_clients')})`,
    samplesPerRound: `sum(${server('fl_samples_per_round')})`,
    modelParameters: `max(${server('fl_model_parameters')})`,
    trainingInfo: `max by (strategy, model, mlflow_run_id) (${server('fl_training_info')})`,
    clientFailuresByPhase: `sum by (phase) (increase(${server('fl_client_failures_total')}[$__rate_interval]))`,
    roundDurationP95: ctx.recorded.has(ROUND_DURATION_P95)
      ? `max(${recordedSel(ROUND_DURATION_P95, NS)})`
      : `histogram_quantile(0.95, sum by (le, namespace) (rate(${server('fl_round_duration_seconds_bucket')}[$__rate_interval])))`,
    clientsUp: `sum(${sel('up', C, NS)})`,
    clientTrainLoss: `max by (${perClient}) (${client('fl_client_train_loss')})`,
    clientAccuracy: `max by (${perClient}) (${client('fl_client_accuracy')})`,
    clientFitRate: `sum by (${perClient}) (rate(${client('fl_client_rounds_total')}[$__rate_interval]))`,
    clientSamplesRate: `sum by (${perClient}) (rate(${client('fl_client_samples_total')}[$__rate_interval]))`,
    clientFitP95: `histogram_quantile(0.95, sum by (le, ${perClient}) (rate(${client('fl_client_fit_duration_seconds_bucket')}[$__rate_interval])))`,
    clientFitMean:
      `sum by (${perClient}) (rate(${client('fl_client_fit_duration_seconds_sum')}[$__rate_interval]))` +
      ` / sum by (${perClient}) (rate(${client('fl_client_fit_duration_seconds_count')}[$__rate_interval]))`,
    clientRounds: `sum by (${perClient}) (${client('fl_client_rounds_total')})`,
    clientPods: labelValues(sel('fl_client_rounds_total', C, NS), 'pod'),
  };
}

const CLIENT_LEGEND = 'client {{client_index}} ({{pod}})';

/** The MLflow run of the federation a value belongs to: MLflow's run page from the `mlflow_run_id` label of fl_training_info. */
export function mlflowRunLink(mlflowUrl: string): DataLink {
  return { title: 'Open the MLflow run', url: `${mlflowUrl.replace(/\/$/, '')}/#/runs/\${__field.labels.mlflow_run_id}` };
}

/** The FL training dashboards: the run's overview and the per-client view. */
export function flDashboards(ctx: MixinContext): DashboardDef[] {
  const q = flQueries(ctx);
  const { thresholds, fl, namespaces, mlflow } = ctx.config;
  const common = { namespace: { default: namespaces.training }, sites: true, metricsDatasource: defaultMetricsDatasource(ctx.config) } as const;

  const overview = dashboard('fl-training-overview', 'FL training overview', {
    ...common,
    tags: ['fl', 'training'],
    description: `Federated training run: progress, loss and accuracy, clients, rounds (strategy ${fl.strategy}, ${fl.numClients} clients, ${fl.rounds} rounds configured).`,
    rows: [
      {
        title: 'Run',
        panels: [
          statPanel('Current round', Unit.NONE, [promQuery(q.currentRound, 'round')], { max: fl.rounds, decimals: 0 }),
          statPanel('Rounds completed', Unit.NONE, [promQuery(q.roundsCompleted, 'completed')], { decimals: 0 }),
          statPanel('Rounds failed', Unit.NONE, [promQuery(q.roundsFailed, 'failed')], { decimals: 0, threshold: { value: 1 } }),
          statPanel('Active clients', Unit.NONE, [promQuery(q.activeClients, 'active')], {
            decimals: 0,
            threshold: { value: fl.minClients, color: 'green', baseColor: 'red' },
            description: `Clients with successful results in the current/last round; at least ${fl.minClients} are needed.`,
          }),
          statPanel('Best accuracy', Unit.RATIO, [promQuery(q.bestAccuracy, 'best')], { min: 0, max: 1, decimals: 2 }),
          statPanel('Training', Unit.NONE, [promQuery(q.trainingInfo, '{{strategy}} / {{model}}')], {
            showName: true,
            description: mlflow.enabled
              ? 'Strategy and model of the run (fl_training_info); its link opens the MLflow run of the federation.'
              : 'Strategy and model of the run (fl_training_info).',
            ...(mlflow.enabled ? { links: [mlflowRunLink(mlflow.url)] } : {}),
          }),
        ],
      },
      {
        title: 'Loss and accuracy',
        panels: [
          timeseriesPanel('Loss', Unit.NONE, [promQuery(q.trainLoss, 'training loss'), promQuery(q.evalLoss, 'evaluation loss')], {
            description: 'Sample-weighted aggregate of the clients’ losses in the last round.',
            legendCalcs: ['lastNotNull', 'min'],
          }),
          timeseriesPanel('Accuracy', Unit.RATIO, [promQuery(q.accuracy, 'accuracy'), promQuery(q.bestAccuracy, 'best accuracy')], {
            min: 0,
            max: 1,
            threshold: { value: thresholds.accuracyMin, color: 'green', baseColor: 'red' },
            description: `Dashed line: the AccuracyDropped threshold (${thresholds.accuracyMin}).`,
            legendCalcs: ['lastNotNull', 'max'],
          }),
        ],
      },
      {
        title: 'Rounds',
        panels: [
          timeseriesPanel('Current round', Unit.NONE, [promQuery(q.currentRound, 'round')], { width: 8, decimals: 0 }),
          timeseriesPanel('Rounds completed and failed', Unit.NONE, [
            promQuery(q.roundsCompletedPerInterval, 'completed'),
            promQuery(q.roundsFailedPerInterval, 'failed'),
          ], { width: 8, bars: true, description: 'Rounds finished per interval.' }),
          timeseriesPanel('Round duration p95', Unit.SECONDS, [promQuery(q.roundDurationP95, 'p95')], {
            width: 8,
            threshold: { value: roundDurationThresholdSeconds(ctx.config) },
            description: `Dashed line: the RoundDurationHigh threshold (${roundDurationThresholdSeconds(ctx.config)}s).`,
          }),
          timeseriesPanel('Samples per round', Unit.SHORT, [promQuery(q.samplesPerRound, 'samples')], { width: 8 }),
          timeseriesPanel('Client failures by phase', Unit.NONE, [promQuery(q.clientFailuresByPhase, '{{phase}}')], {
            width: 8,
            bars: true,
            stack: true,
            description: 'Client errors or timeouts per interval, by round phase.',
          }),
          timeseriesPanel('Model parameters', Unit.SHORT, [promQuery(q.modelParameters, 'parameters')], { width: 8 }),
        ],
      },
      {
        title: 'Clients',
        panels: [
          timeseriesPanel('Active vs connected clients', Unit.NONE, [
            promQuery(q.activeClients, 'active (successful in round)'),
            promQuery(q.totalClients, 'connected'),
          ], { width: 16, decimals: 0, threshold: { value: fl.minClients, color: 'green', baseColor: 'red' } }),
          statPanel('Connected clients', Unit.NONE, [promQuery(q.totalClients, 'connected')], { width: 4, height: 8, decimals: 0 }),
          statPanel('Client pods up', Unit.NONE, [promQuery(q.clientsUp, 'up')], { width: 4, height: 8, decimals: 0 }),
        ],
      },
    ],
  });

  const clients = dashboard('fl-clients', 'FL clients', {
    ...common,
    tags: ['fl', 'training', 'clients'],
    description: 'Per-client view of the federated training: local loss and accuracy, fit rate and duration.',
    variables: [{ name: 'client', label: 'Client pod', query: q.clientPods }],
    rows: [
      {
        title: 'Model quality per client',
        panels: [
          timeseriesPanel('Client training loss', Unit.NONE, [promQuery(q.clientTrainLoss, CLIENT_LEGEND)], {
            description: "Local training loss of each client's last fit.",
            legendCalcs: ['lastNotNull'],
          }),
          timeseriesPanel('Client accuracy', Unit.RATIO, [promQuery(q.clientAccuracy, CLIENT_LEGEND)], {
            min: 0,
            max: 1,
            description: "Accuracy of the global model on each client's local test split.",
            legendCalcs: ['lastNotNull'],
          }),
        ],
      },
      {
        title: 'Work per client',
        panels: [
          timeseriesPanel('Fit rate', Unit.OPS_PER_SECOND, [promQuery(q.clientFitRate, CLIENT_LEGEND)], {
            width: 8,
            description: 'Local training (fit) rounds per second.',
          }),
          timeseriesPanel('Samples rate', Unit.PER_SECOND, [promQuery(q.clientSamplesRate, CLIENT_LEGEND)], {
            width: 8,
            description: 'Training samples processed per second.',
          }),
          timeseriesPanel('Fits completed', Unit.NONE, [promQuery(q.clientRounds, CLIENT_LEGEND)], { width: 8, decimals: 0 }),
          timeseriesPanel('Fit duration p95', Unit.SECONDS, [promQuery(q.clientFitP95, CLIENT_LEGEND)], { legendCalcs: ['lastNotNull', 'max'] }),
          timeseriesPanel('Fit duration mean', Unit.SECONDS, [promQuery(q.clientFitMean, CLIENT_LEGEND)], { legendCalcs: ['lastNotNull', 'max'] }),
        ],
      },
    ],
  });

  return [dashboardDef(overview, DashboardFolder.FL), dashboardDef(clients, DashboardFolder.FL)];
}
