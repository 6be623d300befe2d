import { ComponentName } from '../../common/names';
import { maxRoundSeconds, parseDuration } from '../../config/values';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder, type AlertScenario } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { flDashboards } from './dashboards';
import { flMetrics, ROUND_DURATION, ROUND_DURATION_P95, TRAINING_FINISHED } from './metrics';
import { roundDurationThresholdSeconds } from './round-duration';

const SERVER = ComponentName.FL_SERVER;

function minutes(duration: string): number {
  return Math.round(parseDuration(duration)! / 60_000);
}

function recording(ctx: MixinContext): RuleGroupBuilder[] {
  return [
    new RuleGroupBuilder('fl.recording', ctx.catalog).record({
      record: ROUND_DURATION_P95,
      expr: `histogram_quantile(0.95, sum by (le, namespace) (rate(${sel(`${ROUND_DURATION}_bucket`, SERVER)}[15m])))`,
    }),
  ];
}

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const { thresholds, fl, namespaces } = ctx.config;
  const ns = namespaces.training;
  const s = (metric: string, extra: Record<string, string> = {}): string => series(metric, SERVER, { namespace: ns, ...extra });
  const labels = { job: SERVER, namespace: ns };
  const stalled = minutes(thresholds.trainingStalledFor);
  const slowRound = roundDurationThresholdSeconds(ctx.config);
  const bucket = (le: number | '+Inf'): string => s(`${ROUND_DURATION}_bucket`, { le: String(le) });
  const stallSeries = (completed: string, finished: string): AlertScenario['series'] => [
    { series: s('fl_rounds_completed_total'), values: completed },
    { series: s(TRAINING_FINISHED), values: finished },
  ];
  return [
    new RuleGroupBuilder('fl.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'AccuracyDropped',
        expr: `${sel('fl_accuracy', SERVER)} < ${thresholds.accuracyMin}`,
        for: '5m',
        severity: 'warning',
        summary: `Model accuracy is below ${thresholds.accuracyMin}.`,
        description: 'Federated model accuracy in {{ $labels.namespace }} has stayed below the threshold for 5 minutes.',
        impact: 'The global model being trained is not useful: rounds aggregate updates that do not improve it, and compute is spent on a run that may have diverged.',
        mitigation:
          'Look at the accuracy and loss panels of the FL training dashboard: a sudden drop after a round points at a bad client update (poisoned or non-IID partition), a slow decline at the learning rate or strategy. Check `fl.strategy` and the clients\' `fl_client_accuracy`; restart the run from a good checkpoint if it diverged.',
        test: {
          firing: { series: [{ series: s('fl_accuracy'), values: `${thresholds.accuracyMin / 2}x10` }], at: '6m', labels },
          quiet: { series: [{ series: s('fl_accuracy'), values: `${(1 + thresholds.accuracyMin) / 2}x10` }], at: '6m' },
        },
      })
      .alert({
        alert: 'NoActiveClients',
        expr: `${sel('fl_active_clients', SERVER)} == 0`,
        for: '2m',
        severity: 'critical',
        summary: 'No FL client took part in the last round.',
        description: 'The FL server in {{ $labels.namespace }} has had no active clients for 2 minutes.',
        impact: 'Training has stopped: no client returns updates, so no round can complete.',
        mitigation:
          'Check the fl-client pods (`kubectl -n <training namespace> get pods -l app.kubernetes.io/name=fl-client`): crash loops, pending pods (GPU capacity) or a NetworkPolicy blocking the FL server port. `fl_total_clients` shows whether clients are connected at all; the server logs in Loki name the failing clients.',
        test: {
          firing: { series: [{ series: s('fl_active_clients'), values: '0x5' }], at: '3m', labels },
          quiet: { series: [{ series: s('fl_active_clients'), values: `${fl.minClients}x5` }], at: '3m' },
        },
      })
      .alert({
        alert: 'ClientsBelowExpected',
        expr: `${sel('fl_active_clients', SERVER)} < ${fl.minClients} and ${sel('fl_active_clients', SERVER)} > 0`,
        for: '5m',
        severity: 'warning',
        summary: `Fewer FL clients than the ${fl.minClients} a round needs are active.`,
        description: 'Active FL clients in {{ $labels.namespace }} have been below the configured minimum for 5 minutes.',
        impact: 'Rounds succeed with fewer participants or fail outright (RoundsFailing); the model sees less data per round.',
        mitigation: 'Find the missing clients with the FL training dashboard and `fl_client_failures_total` by phase; restart or reschedule them. If fewer clients are expected, lower `fl.minClients`.',
        test: {
          firing: { series: [{ series: s('fl_active_clients'), values: `${Math.max(1, fl.minClients - 1)}x10` }], at: '6m', labels },
          quiet: { series: [{ series: s('fl_active_clients'), values: `${fl.minClients}x10` }], at: '6m' },
        },
      })
      .alert({
        alert: 'TrainingStalled',
        // Only while a run is in progress: a finished run makes no progress by design.
        expr: `rate(${sel('fl_rounds_completed_total', SERVER)}[${thresholds.trainingStalledFor}]) == 0 and ${sel(TRAINING_FINISHED, SERVER)} == 0`,
        for: thresholds.trainingStalledFor,
        severity: 'warning',
        summary: `No federated round completed in ${thresholds.trainingStalledFor} while a run is in progress.`,
        description: 'Training in {{ $labels.namespace }} has not completed a round recently and the run has not finished; check the server and client logs.',
        impact: 'The run is stuck: no model progress, while the FL server and clients keep holding their CPU/GPU.',
        mitigation:
          'Compare `fl_current_round` with the rounds completed and failed: a round that never ends points at clients that hang (below the round timeout) or at a SuperLink problem. Check the fl-server logs in Loki and the clients\' last fit. A run that failed stays unfinished (`fl_training_finished` 0): restart it.',
        diagnose: [`${sel('fl_current_round', SERVER)}`, `increase(${sel('fl_rounds_failed_total', SERVER)}[1h])`],
        test: {
          firing: { series: stallSeries(`5x${stalled * 3}`, `0x${stalled * 3}`), at: `${stalled * 2 + 5}m`, labels },
          quiet: [
            { case: 'run in progress, rounds completing', series: stallSeries(`0+1x${stalled * 3}`, `0x${stalled * 3}`), at: `${stalled * 2 + 5}m` },
            { case: 'run finished', series: stallSeries(`5x${stalled * 3}`, `1x${stalled * 3}`), at: `${stalled * 2 + 5}m` },
          ],
        },
      })
      .alert({
        alert: 'RoundsFailing',
        expr: `increase(${sel('fl_rounds_failed_total', SERVER)}[15m]) > 0`,
        for: '1m',
        severity: 'warning',
        summary: 'Federated rounds are failing.',
        description: 'Rounds in {{ $labels.namespace }} failed in the last 15 minutes: too few clients succeeded in fit or evaluate.',
        impact: 'Failed rounds produce no model update; with `fl.roundFailurePolicy: fail` the run ends.',
        mitigation: 'See which phase fails with `fl_client_failures_total` (FlClientFailures) and the server logs; slow clients need a longer `fl.roundTimeout`, crashing ones their logs.',
        test: {
          firing: { series: [{ series: s('fl_rounds_failed_total'), values: '0+1x20' }], at: '10m', labels },
          quiet: { series: [{ series: s('fl_rounds_failed_total'), values: '0x20' }], at: '10m' },
        },
      })
      .alert({
        alert: 'RoundDurationHigh',
        expr: `${ROUND_DURATION_P95} > ${slowRound}`,
        for: '10m',
        severity: 'warning',
        summary: `The p95 round duration is above ${slowRound} seconds.`,
        description: 'Federated rounds in {{ $labels.namespace }} have become slow; look for slow or failing clients.',
        impact: 'Training takes longer than planned; rounds this slow are close to the round timeout, where clients start to count as failed.',
        mitigation: `Find the slow phase and clients: \`fl_client_fit_duration_seconds\` per client, GPU utilisation, CPU throttling of the clients. A legal round takes up to 2 × fl.roundTimeout (${maxRoundSeconds(fl.roundTimeout)} s); if rounds are legitimately this slow, raise \`thresholds.roundDurationP95Seconds\` (below that bound).`,
        test: {
          firing: {
            series: [
              { series: bucket(slowRound), values: '0x40' },
              { series: bucket(maxRoundSeconds(fl.roundTimeout)), values: '0+1x40' },
              { series: bucket('+Inf'), values: '0+1x40' },
            ],
            at: '30m',
            labels: { namespace: ns },
          },
          quiet: {
            series: [
              { series: bucket(slowRound), values: '0+1x40' },
              { series: bucket(maxRoundSeconds(fl.roundTimeout)), values: '0+1x40' },
              { series: bucket('+Inf'), values: '0+1x40' },
            ],
            at: '30m',
          },
        },
      })
      .alert({
        alert: 'FlClientFailures',
        expr: `increase(${sel('fl_client_failures_total', SERVER)}[10m]) > 0`,
        for: '1m',
        severity: 'warning',
        summary: 'FL clients are failing or timing out in rounds.',
        description: 'Clients in {{ $labels.namespace }} failed during {{ $labels.phase }} in the last 10 minutes.',
        impact: 'A failed client is not sampled again in the run: the federation shrinks, and rounds may fail when fewer than `fl.minClients` remain.',
        mitigation: 'Errors: read the client logs in Loki (the server logs name the client). Timeouts: the client is slower than `fl.roundTimeout` per phase; check its resources or raise the timeout.',
        test: {
          firing: { series: [{ series: s('fl_client_failures_total', { phase: 'fit' }), values: '0+1x15' }], at: '8m', labels: { ...labels, phase: 'fit' } },
          quiet: { series: [{ series: s('fl_client_failures_total', { phase: 'fit' }), values: '0x15' }], at: '8m' },
        },
      }),
  ];
}

/** The FL workload's monitoring: its metric contract, training alerts and dashboards. */
export const FL_MIXIN: Mixin = {
  name: 'fl',
  metrics: flMetrics,
  recordingRules: recording,
  alertingRules: alerting,
  dashboards: flDashboards,
};
