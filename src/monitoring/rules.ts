import type { Severity } from '../config/schema';
import { parseDuration } from '../config/values';
import type { MetricCatalog } from './catalog';
import { parsePromQL, vectorSelectors } from './promql';

/**
 * Severity of an alert: a routed one of the config, or `none` for the meta alerts (Watchdog,
 * InfoInhibitor) that exist for Alertmanager and page no one.
 */
export type AlertSeverity = Severity | 'none';
/** The severity of meta alerts. */
export const META_SEVERITY: AlertSeverity = 'none';

/** One promtool unit-test scenario: input series and when to evaluate. */
export interface AlertScenario {
  /** What the scenario shows, appended to the test name, e.g. `run finished`. @default - none */
  readonly case?: string;
  /** `series` in promtool syntax (e.g. `fl_accuracy{job="fl-server"}`) and their `values` (e.g. `0.4x20`). */
  readonly series: readonly { readonly series: string; readonly values: string }[];
  /** When the alert is checked, e.g. `10m`. */
  readonly at: string;
}

/** Props of an alerting rule. */
export interface AlertRuleProps {
  /** CamelCase name, e.g. `AccuracyDropped`. */
  readonly alert: string;
  readonly expr: string;
  /**
   * How long the condition must hold. Required for every alert that can page: none fires on a
   * single evaluation. @default - none, allowed only for severity `none` (meta alerts fire at once)
   */
  readonly for?: string;
  readonly severity: AlertSeverity;
  /** One plain sentence, no templates. */
  readonly summary: string;
  /** Templated detail; may use `{{ $labels.x }}` (not `$value`, so tests can expect the text). */
  readonly description: string;
  /** Runbook: what is broken or at risk for the users of the platform while it fires. */
  readonly impact: string;
  /** Runbook: what the on-call does about it, most likely cause first (Markdown). */
  readonly mitigation: string;
  /** Runbook: PromQL queries to diagnose with, beyond the expression and the selectors it is built from. @default - none */
  readonly diagnose?: readonly string[];
  /** Extra labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * promtool unit tests: a scenario where it fires (with the labels the alert must carry) and one
   * or more where it does not (none only for an always-firing meta alert).
   */
  readonly test: {
    readonly firing: AlertScenario & { readonly labels: Readonly<Record<string, string>> };
    readonly quiet: AlertScenario | readonly AlertScenario[];
  };
}

/** Props of a recording rule. */
export interface RecordingRuleProps {
  /** `level:metric:operations`, e.g. `namespace:fl_round_duration_seconds:p95`. */
  readonly record: string;
  readonly expr: string;
}

/** Rule-file shapes, as Prometheus reads them. */
export interface AlertRuleOutput {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}
export interface RecordingRuleOutput {
  readonly record: string;
  readonly expr: string;
}
export interface RuleGroupOutput {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly (RecordingRuleOutput | AlertRuleOutput)[];
}

/** A rule-definition problem, named by group and rule. */
export class RuleError extends Error {
  constructor(group: string, rule: string, problem: string) {
    super(`rule group ${group}, rule ${rule}: ${problem}`);
    this.name = 'RuleError';
  }
}

const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;
const RECORD_NAME = /^[a-z_]+:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$/;

/**
 * A group of recording and alerting rules. Every rule is checked as it is added: naming
 * conventions, `for`, annotations, duplicate names, and its expression parsed with the PromQL
 * grammar against the metric catalog (recorded series of the group count as known).
 */
export class RuleGroupBuilder {
  private readonly alerts: AlertRuleProps[] = [];
  private readonly records: RecordingRuleProps[] = [];

  constructor(
    public readonly name: string,
    private readonly catalog: MetricCatalog,
    /** Series recorded elsewhere that expressions may use. @default - none */
    private readonly knownRecords: ReadonlySet<string> = new Set(),
  ) {}

  private check(rule: string, expr: string): void {
    this.checkQuery(rule, expr);
    if ([...this.alerts.map((a) => a.alert), ...this.records.map((r) => r.record)].includes(rule)) {
      throw new RuleError(this.name, rule, 'duplicate rule name in the group');
    }
  }

  private checkQuery(rule: string, expr: string): void {
    const parsed = parsePromQL(expr);
    if (parsed.errors.length > 0) {
      throw new RuleError(this.name, rule, `expression does not parse: ${parsed.errors[0]}`);
    }
    const recorded = new Set([...this.knownRecords, ...this.records.map((r) => r.record)]);
    for (const m of parsed.metrics) {
      if (this.catalog.lookup(m) === undefined && !recorded.has(m)) {
        throw new RuleError(this.name, rule, `metric ${m} is not in the metric catalog`);
      }
    }
  }

  /** Adds a recording rule. */
  record(props: RecordingRuleProps): this {
    if (!RECORD_NAME.test(props.record)) {
      throw new RuleError(this.name, props.record, 'recording rule names must be level:metric:operations');
    }
    this.check(props.record, props.expr);
    this.records.push(props);
    return this;
  }

  /** Adds an alerting rule. */
  alert(props: AlertRuleProps): this {
    if (!ALERT_NAME.test(props.alert)) {
      throw new RuleError(this.name, props.alert, 'alert names must be CamelCase');
    }
    const meta = props.severity === META_SEVERITY;
    if (props.for === undefined ? !meta : parseDuration(props.for) === undefined) {
      throw new RuleError(this.name, props.alert, `'for' must be a positive duration, got '${props.for ?? ''}'`);
    }
    if (props.summary.includes('{{') || !/^[A-Z].*\.$/.test(props.summary)) {
      throw new RuleError(this.name, props.alert, 'summary must be one plain sentence without templates');
    }
    if (props.impact.trim() === '' || props.mitigation.trim() === '') {
      throw new RuleError(this.name, props.alert, 'impact and mitigation must be stated (they make the runbook)');
    }
    if (quietScenarios(props).length === 0 && !meta) {
      throw new RuleError(this.name, props.alert, 'needs at least one quiet test scenario');
    }
    if (!meta && !props.description.includes('{{')) {
      throw new RuleError(this.name, props.alert, 'description must be templated (use {{ $labels.… }})');
    }
    if (props.description.includes('$value')) {
      throw new RuleError(this.name, props.alert, 'description must not use $value (its text could not be tested)');
    }
    this.check(props.alert, props.expr);
    for (const query of props.diagnose ?? []) {
      this.checkQuery(props.alert, query);
    }
    this.alerts.push(props);
    return this;
  }

  /** Names of the series this group records. */
  get recordNames(): string[] {
    return this.records.map((r) => r.record);
  }

  /** The alert definitions, for the unit-test generator. */
  get alertRules(): readonly AlertRuleProps[] {
    return this.alerts;
  }

  /** The group as Prometheus reads it, with each alert's runbook link added in this one pass. */
  build(runbookBaseUrl: string): RuleGroupOutput {
    return {
      name: this.name,
      rules: [
        ...this.records.map((r) => ({ record: r.record, expr: r.expr })),
        ...this.alerts.map((a) => ({
          alert: a.alert,
          expr: a.expr,
          ...(a.for === undefined ? {} : { for: a.for }),
          labels: { ...(a.labels ?? {}), severity: a.severity },
          annotations: {
            summary: a.summary,
            description: a.description,
            runbook_url: runbookUrl(runbookBaseUrl, a.alert),
          },
        })),
      ],
    };
  }
}

/** The quiet scenarios of an alert, as a list. */
export function quietScenarios(a: AlertRuleProps): readonly AlertScenario[] {
  const q = a.test.quiet;
  return isScenarioList(q) ? q : [q];
}

function isScenarioList(q: AlertScenario | readonly AlertScenario[]): q is readonly AlertScenario[] {
  return Array.isArray(q);
}

/** The runbook page of an alert: `<base>/<AlertName>.md` (the file `npm run generate` writes under docs/runbooks/). */
export function runbookUrl(base: string, alert: string): string {
  return `${base.replace(/\/$/, '')}/${alert}.md`;
}

/** Where the runbook pages are committed, relative to the repository root. */
export const RUNBOOK_DIR = 'docs/runbooks';

/** The runbook page of one alert, in Markdown: meaning, impact, the exact queries to diagnose, mitigation. */
export function runbookMarkdown(a: AlertRuleProps, where: { readonly group: string; readonly ruleFile: string }): string {
  const section = (intro: string, queries: readonly string[]): string[] =>
    queries.length === 0 ? [] : ['', intro, ...queries.flatMap((q) => ['', '```promql', q, '```'])];
  return [
    `# ${a.alert}`,
    '',
    '| severity | for | rule group | rule file |',
    '| --- | --- | --- | --- |',
    `| ${a.severity} | ${a.for ?? 'fires at once'} | \`${where.group}\` | \`rules/${where.ruleFile}\` |`,
    '',
    '## What it means',
    '',
    a.summary,
    '',
    `Description sent with the alert: ${a.description}`,
    '',
    '## Impact',
    '',
    a.impact,
    '',
    '## Diagnose',
    ...section('The alert fires while this expression returns series (Prometheus UI, Graph tab):', [a.expr]),
    ...section('The series it is built from:', vectorSelectors(a.expr).filter((q) => q !== a.expr)),
    ...section('Further queries:', a.diagnose ?? []),
    '',
    '## Mitigation',
    '',
    a.mitigation,
    '',
  ].join('\n');
}

/** Expands `{{ $labels.x }}` with the alert's labels, as Prometheus would for these simple templates. */
export function expandLabels(template: string, labels: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_m, name: string) => labels[name] ?? '');
}

/** A promtool `test rules` file for the groups of one rule file: two tests per alert. */
export function promtoolTests(ruleFile: string, groups: readonly RuleGroupBuilder[], runbookBaseUrl: string, evaluationInterval: string): Record<string, unknown> {
  const tests = groups.flatMap((g) =>
    g.alertRules.flatMap((a) => {
      const labels = { ...a.test.firing.labels, ...(a.labels ?? {}), severity: a.severity };
      const named = (verb: string, s: AlertScenario): string => `${a.alert} ${verb}${s.case === undefined ? '' : ` (${s.case})`}`;
      return [
        {
          name: named('fires', a.test.firing),
          interval: '1m',
          input_series: a.test.firing.series,
          alert_rule_test: [
            {
              eval_time: a.test.firing.at,
              alertname: a.alert,
              exp_alerts: [
                {
                  exp_labels: labels,
                  exp_annotations: {
                    summary: a.summary,
                    description: expandLabels(a.description, labels),
                    runbook_url: runbookUrl(runbookBaseUrl, a.alert),
                  },
                },
              ],
            },
          ],
        },
        ...quietScenarios(a).map((q) => ({
          name: named('stays quiet', q),
          interval: '1m',
          input_series: q.series,
          alert_rule_test: [{ eval_time: q.at, alertname: a.alert, exp_alerts: [] }],
        })),
      ];
    }),
  );
  return { rule_files: [ruleFile], evaluation_interval: evaluationInterval, tests };
}
