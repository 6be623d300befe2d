import { ComponentName } from '../../common/names';
import { parseDuration } from '../../config/values';
import type { Mixin, MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { flDashboards } from './dashboards';
import { FL_METRICS, ROUND_DURATION_P95 } from './metrics';

const SERVER = ComponentName.FL_SERVER;

function minutes(duration: string): number {
  return Math.round(parseDuration(duration)! / 60_000);
}

function recording(ctx: MixinContext): RuleGroupBuilder[] {
  return [
    new RuleGroupBuilder('fl.recording', ctx.catalog).record({
      record: ROUND_DURATION_P95,
      expr: `histogram_quantile(0.95, sum by (le, namespace) (rate(${sel('fl_round_duration_seconds_bucket', SERVER)}[15m])))`,
    }),
  ];
}

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const { thresholds, fl, namespaces } = ctx.config;
  const ns = namespaces.training;
  const s = (metric: string, extra: Record<string, string> = {}): string => series(metric, SERVER, { namespace: ns, ...extra });
  const labels = { job: SERVER, namespace: ns };
  const stalled = minutes(thresholds.trainingStalledFor);
  return [
    new RuleGroupBuilder('fl.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'AccuracyDropped',
        expr: `${sel('fl_accuracy', SERVER)} < ${thresholds.accuracyMin}`,
        for: '5m',
        severity: 'warning',
        summary: `Model accuracy is below ${thresholds.accuracyMin}.`,
        description: 'Federated model accuracy in {{ $labels.namespace }} has stayed below the threshold for 5 minutes.',
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
        test: {
          firing: { series: [{ series: s('fl_active_clients'), values: `${Math.max(1, fl.minClients - 1)}x10` }], at: '6m', labels },
          quiet: { series: [{ series: s('fl_active_clients'), values: `${fl.minClients}x10` }], at: '6m' },
        },
      })
      .alert({
        alert: 'TrainingStalled',
        expr: `rate(${sel('fl_rounds_completed_total', SERVER)}[${thresholds.trainingStalledFor}]) == 0`,
        for: thresholds.trainingStalledFor,
        severity: 'warning',
        summary: `No federated round completed in ${thresholds.trainingStalledFor}.`,
        description: 'Training in {{ $labels.namespace }} has not completed a round recently; check the server and client logs.',
        test: {
          firing: { series: [{ series: s('fl_rounds_completed_total'), values: `5x${stalled * 3}` }], at: `${stalled * 2 + 5}m`, labels },
          quiet: { series: [{ series: s('fl_rounds_completed_total'), values: `0+1x${stalled * 3}` }], at: `${stalled * 2 + 5}m` },
        },
      })
      .alert({
        alert: 'RoundsFailing',
        expr: `increase(${sel('fl_rounds_failed_total', SERVER)}[15m]) > 0`,
        for: '1m',
        severity: 'warning',
        summary: 'Federated rounds are failing.',
        description: 'Rounds in {{ $labels.namespace }} failed in the last 15 minutes: too few clients succeeded in fit or evaluate.',
        test: {
          firing: { series: [{ series: s('fl_rounds_failed_total'), values: '0+1x20' }], at: '10m', labels },
          quiet: { series: [{ series: s('fl_rounds_failed_total'), values: '0x20' }], at: '10m' },
        },
      })
      .alert({
        alert: 'RoundDurationHigh',
        expr: `${ROUND_DURATION_P95} > ${thresholds.roundDurationP95Seconds}`,
        for: '10m',
        severity: 'warning',
        summary: `The p95 round duration is above ${thresholds.roundDurationP95Seconds} seconds.`,
        description: 'Federated rounds in {{ $labels.namespace }} have become slow; look for slow or failing clients.',
        test: {
          firing: {
            series: [
              { series: s('fl_round_duration_seconds_bucket', { le: String(thresholds.roundDurationP95Seconds) }), values: '0x40' },
              { series: s('fl_round_duration_seconds_bucket', { le: String(thresholds.roundDurationP95Seconds * 2) }), values: '0+1x40' },
              { series: s('fl_round_duration_seconds_bucket', { le: '+Inf' }), values: '0+1x40' },
            ],
            at: '30m',
            labels: { namespace: ns },
          },
          quiet: {
            series: [
              { series: s('fl_round_duration_seconds_bucket', { le: String(thresholds.roundDurationP95Seconds) }), values: '0+1x40' },
              { series: s('fl_round_duration_seconds_bucket', { le: String(thresholds.roundDurationP95Seconds * 2) }), values: '0+1x40' },
              { series: s('fl_round_duration_seconds_bucket', { le: '+Inf' }), values: '0+1x40' },
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
  enabled: (config) => config.fl.enabled,
  metrics: FL_METRICS,
  recordingRules: recording,
  alertingRules: alerting,
  dashboards: flDashboards,
};
