import { ComponentName } from '../../common/names';
import type { StackConfig } from '../../config/schema';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';
import { roundDurationBuckets } from './round-duration';

const S = ComponentName.FL_SERVER;
const C = ComponentName.FL_CLIENT;
const { COUNTER, GAUGE, HISTOGRAM } = MetricType;

/** The round-duration histogram; its buckets follow `fl.roundTimeout` (the server gets them in FL_ROUND_DURATION_BUCKETS). */
export const ROUND_DURATION = 'fl_round_duration_seconds';
/** Failed calls to MLflow (create_run, log_batch, log_artifact, update_run): counted and logged, never fatal. */
export const MLFLOW_FAILURES = 'fl_mlflow_failures_total';
/** The run-state gauge: TrainingStalled fires only while it is 0 (a finished run makes no progress by design). */
export const TRAINING_FINISHED = 'fl_training_finished';

/**
 * The FL workload's metric contract for a config (workloads/fl exports exactly these; tested from
 * both sides).
 */
export function flMetrics(config: Pick<StackConfig, 'fl'>): readonly MetricDef[] {
  return [
    metric(S, 'fl_rounds_completed_total', COUNTER, 'Federated rounds that completed with at least FL_MIN_CLIENTS successful clients.'),
    metric(S, 'fl_rounds_failed_total', COUNTER, 'Federated rounds that failed (fewer than FL_MIN_CLIENTS successful clients in fit or evaluate).'),
    metric(S, 'fl_train_loss', GAUGE, 'Aggregated (sample-weighted) client training loss of the last round.'),
    metric(S, 'fl_eval_loss', GAUGE, 'Aggregated (sample-weighted) client evaluation loss of the last round.'),
    metric(S, 'fl_accuracy', GAUGE, 'Aggregated (sample-weighted) client evaluation accuracy of the last round (0..1).', { unit: 'ratio' }),
    metric(S, 'fl_best_accuracy', GAUGE, 'Best aggregated evaluation accuracy so far (0..1).', { unit: 'ratio' }),
    metric(S, 'fl_active_clients', GAUGE, 'Clients that returned successful training results in the current/last round.'),
    metric(S, 'fl_total_clients', GAUGE, 'Clients (SuperNodes) connected to the server.'),
    metric(S, 'fl_model_parameters', GAUGE, 'Number of scalar parameters of the global model.'),
    metric(S, 'fl_samples_per_round', GAUGE, 'Training samples contributed by clients in the current/last round.'),
    metric(S, 'fl_current_round', GAUGE, 'Current (or last) federated round number; 0 before the first.'),
    metric(S, ROUND_DURATION, HISTOGRAM, 'Wall-clock duration of a federated round (fit + evaluate).', {
      unit: 'seconds',
      buckets: roundDurationBuckets(config.fl.roundTimeout),
    }),
    metric(S, 'fl_client_failures_total', COUNTER, 'Client failures (error reply or no reply before the round timeout), by phase.', { labels: ['phase'] }),
    metric(S, 'fl_training_info', GAUGE, 'Training configuration and the MLflow run the federation is logged to (empty while it has none); value is always 1.', {
      labels: ['strategy', 'model', 'mlflow_run_id'],
    }),
    metric(S, MLFLOW_FAILURES, COUNTER, 'Calls to the MLflow tracking server that failed, by operation; the federation goes on.', { labels: ['operation'] }),
    metric(S, TRAINING_FINISHED, GAUGE, '1 once the run has completed successfully, 0 while it is starting, running or after it failed.'),
    metric(C, 'fl_client_rounds_total', COUNTER, 'Training (fit) rounds completed by this client.'),
    metric(C, 'fl_client_train_loss', GAUGE, "Local training loss of this client's last fit."),
    metric(C, 'fl_client_accuracy', GAUGE, "Accuracy of the global model on this client's local test split (0..1).", { unit: 'ratio' }),
    metric(C, 'fl_client_samples_total', COUNTER, 'Training samples processed by this client.'),
    metric(C, 'fl_client_fit_duration_seconds', HISTOGRAM, 'Duration of one local fit.', { unit: 'seconds', buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] }),
  ];
}


/** The recorded p95 round duration, per namespace (recorded by the FL mixin, used by alerts and dashboards). */
export const ROUND_DURATION_P95 = 'namespace:fl_round_duration_seconds:p95';
