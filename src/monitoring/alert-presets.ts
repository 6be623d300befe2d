import type { Severity } from '../config/schema';
import type { ComponentName } from '../common/names';
import type { AlertRuleProps } from './rules';
import { sel, series } from './selectors';

/** The alert that pages for any scrape target that is down (Prometheus's mixin); the per-component "…Down" alerts yield to it (Alertmanager's inhibit rules). */
export const SERVICE_DOWN = 'ServiceDown';

/** Props of {@link counterIncreasing}. */
export interface CounterIncreasingProps {
  readonly alert: string;
  readonly component: ComponentName;
  /** A counter (or cumulative gauge) of failures. */
  readonly metric: string;
  /** Extra matchers of the selector. @default - none */
  readonly matchers?: Readonly<Record<string, string>>;
  /** Labels the alert keeps. */
  readonly by: readonly string[];
  /** Sample label values for the unit test, one per `by` label (and matchers). */
  readonly example: Readonly<Record<string, string>>;
  readonly severity: Severity;
  /** @default '10m' */
  readonly for?: string;
  readonly summary: string;
  readonly description: string;
  /** Runbook: what is at risk while it fires. */
  readonly impact: string;
  /** Runbook: what to do. */
  readonly mitigation: string;
}

/** "Failures are happening": the rate of a failure counter has stayed above zero. */
export function counterIncreasing(p: CounterIncreasingProps): AlertRuleProps {
  const input = series(p.metric, p.component, p.example);
  const forDuration = p.for ?? '10m';
  return {
    alert: p.alert,
    expr: `sum by (${p.by.join(', ')}) (rate(${sel(p.metric, p.component, p.matchers ?? {})}[5m])) > 0`,
    for: forDuration,
    severity: p.severity,
    summary: p.summary,
    description: p.description,
    impact: p.impact,
    mitigation: p.mitigation,
    test: {
      firing: { series: [{ series: input, values: '0+3x40' }], at: '30m', labels: Object.fromEntries(p.by.map((l) => [l, p.example[l] ?? ''])) },
      quiet: { series: [{ series: input, values: '7x40' }], at: '30m' },
    },
  };
}

/** Props of {@link targetDown}. */
export interface TargetDownProps {
  readonly alert: string;
  readonly component: ComponentName;
  readonly namespace: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
  /** Runbook: what is at risk while it fires. */
  readonly impact: string;
  /** Runbook: what to do. */
  readonly mitigation: string;
}

/**
 * Labels of every {@link targetDown} alert: Alertmanager inhibits them while the generic
 * ServiceDown fires for the same pod, so one outage pages once.
 */
export const TARGET_DOWN_LABELS: Readonly<Record<string, string>> = { symptom: 'target_down' };

/** A component's scrape target has been down for 5 minutes. */
export function targetDown(p: TargetDownProps): AlertRuleProps {
  const labels = { namespace: p.namespace, pod: `${p.component}-0` };
  return {
    alert: p.alert,
    expr: `${sel('up', p.component)} == 0`,
    for: '5m',
    labels: TARGET_DOWN_LABELS,
    severity: p.severity,
    summary: p.summary,
    description: p.description,
    impact: p.impact,
    mitigation: p.mitigation,
    test: {
      firing: { series: [{ series: series('up', p.component, labels), values: '0x10' }], at: '7m', labels: { job: p.component, ...labels } },
      quiet: { series: [{ series: series('up', p.component, labels), values: '1x10' }], at: '7m' },
    },
  };
}
