import { stringify } from 'yaml';
import type { ProvisionedDashboard } from '../components/grafana/grafana';
import type { StackConfig } from '../config/schema';
import { MIXINS } from './mixins';
import { MetricCatalog } from './catalog';
import type { DashboardDef, Mixin, MixinContext } from './mixin';
import { promtoolTests, type RuleGroupBuilder } from './rules';

/** Everything the stack's mixins produce, rendered. */
export interface MonitoringOutput {
  /** The metric catalog of every component (enabled or not): the contract file. */
  readonly catalog: MetricCatalog;
  /** Rule file name (`<mixin>.rules.yaml`) → YAML text, for enabled components. */
  readonly ruleFiles: Readonly<Record<string, string>>;
  /** promtool unit-test file name (`<mixin>.rules.test.yaml`) → YAML text. */
  readonly ruleTests: Readonly<Record<string, string>>;
  readonly dashboards: readonly ProvisionedDashboard[];
  /** The dashboards as built, for checks. */
  readonly dashboardDefs: readonly DashboardDef[];
}

const YAML_OPTIONS = { lineWidth: 0 } as const;

/** The catalog of every metric any component exports. */
export function fullCatalog(mixins: readonly Mixin[] = MIXINS): MetricCatalog {
  return new MetricCatalog(mixins.flatMap((m) => m.metrics));
}

/**
 * Collects every enabled component's mixin: recording rules first (their series are known to all),
 * then alerts and dashboards. Everything is checked as it is built (see RuleGroupBuilder).
 */
export function collectMonitoring(config: StackConfig, mixins: readonly Mixin[] = MIXINS): MonitoringOutput {
  const catalog = fullCatalog(mixins);
  const enabled = mixins.filter((m) => m.enabled(config));
  const recorded = new Set<string>();
  const base: MixinContext = { config, catalog, recorded };
  const recordingGroups = new Map<string, readonly RuleGroupBuilder[]>();
  for (const m of enabled) {
    const groups = m.recordingRules?.(base) ?? [];
    groups.forEach((g) => g.recordNames.forEach((r) => recorded.add(r)));
    recordingGroups.set(m.name, groups);
  }
  const ruleFiles: Record<string, string> = {};
  const ruleTests: Record<string, string> = {};
  const dashboardDefs: DashboardDef[] = [];
  for (const m of enabled) {
    const groups = [...(recordingGroups.get(m.name) ?? []), ...(m.alertingRules?.(base) ?? [])];
    if (groups.length > 0) {
      const file = `${m.name}.rules.yaml`;
      ruleFiles[file] = stringify({ groups: groups.map((g) => g.build(config.runbookBaseUrl)) }, YAML_OPTIONS);
      // promtool evaluates every rule file the tests list; recorded series of other files are
      // listed too so cross-file references resolve.
      const needed = [file, ...[...recordingGroups.entries()].filter(([name, gs]) => name !== m.name && gs.length > 0).map(([name]) => `${name}.rules.yaml`)];
      if (groups.some((g) => g.alertRules.length > 0)) {
        const tests = promtoolTests(file, groups, config.runbookBaseUrl, config.evaluationInterval) as { rule_files: string[] };
        ruleTests[`${m.name}.rules.test.yaml`] = stringify({ ...tests, rule_files: needed }, YAML_OPTIONS);
      }
    }
    dashboardDefs.push(...(m.dashboards?.(base) ?? []));
  }
  const dashboards = dashboardDefs.map((d) => ({ uid: d.uid, folder: d.folder, json: `${JSON.stringify(d.json, null, 2)}\n` }));
  return { catalog, ruleFiles, ruleTests, dashboards, dashboardDefs };
}
