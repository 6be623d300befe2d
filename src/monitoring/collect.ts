import { DEFAULTS } from '../config/profiles';
import type { StackConfig } from '../config/schema';
import { MetricCatalog } from './catalog';
import { checkExtensions, type ExtensionFile } from './extensions';
import { RuleScope, type DashboardDef, type Mixin, type MixinContext, type MonitoredComponent, type ProvisionedDashboard } from './mixin';
import { promtoolTests, type AlertRuleProps, type RuleGroupBuilder } from './rules';
import { toYaml } from '../common/yaml';

/** Everything the stack's mixins produce, rendered. */
export interface MonitoringOutput {
  /** The metric catalog of every component (enabled or not): the contract file. */
  readonly catalog: MetricCatalog;
  /** Rule file name (`<mixin>.rules.yaml`) → YAML text, for enabled components (every scope). */
  readonly ruleFiles: Readonly<Record<string, string>>;
  /** The names among `ruleFiles` of the federation's rules (Thanos Rule evaluates them, not Prometheus). */
  readonly federationRuleNames: ReadonlySet<string>;
  /** promtool unit-test file name (`<mixin>.rules.test.yaml`) → YAML text, rendered on first call. */
  readonly ruleTests: () => Readonly<Record<string, string>>;
  readonly dashboards: readonly ProvisionedDashboard[];
  /** The dashboards as built, for checks. */
  readonly dashboardDefs: readonly DashboardDef[];
  /** Every shipped alert with its group and rule file, for the runbooks and the alert table. */
  readonly alerts: readonly ShippedAlert[];
  /** What a reviewer should know of the user's extensions (metrics the catalog does not know). */
  readonly warnings: readonly string[];
}

/** The user's rule files and dashboards, as read (`extensions` of the config). */
export interface ExtensionFiles {
  readonly ruleFiles: readonly ExtensionFile[];
  readonly dashboards: readonly ExtensionFile[];
}

/** No user extensions. */
export const NO_EXTENSIONS: ExtensionFiles = { ruleFiles: [], dashboards: [] };

/** An alert as shipped: its definition and where it lives. */
export interface ShippedAlert {
  readonly rule: AlertRuleProps;
  readonly group: string;
  readonly ruleFile: string;
}

function mixinsOf(components: readonly MonitoredComponent[]): Mixin[] {
  return components.flatMap((c) => (c.mixin === undefined ? [] : [c.mixin]));
}

/** The catalog of every metric any of the components exports, for a config (its buckets follow it). @default config - the defaults (minikube profile) */
export function fullCatalog(components: readonly MonitoredComponent[], config: StackConfig = DEFAULTS): MetricCatalog {
  return new MetricCatalog(mixinsOf(components).flatMap((m) => (typeof m.metrics === 'function' ? m.metrics(config) : m.metrics)));
}

/**
 * Collects the mixins of the components the config deploys, in the components' order: recording
 * rules first (their series are known to all), then alerts and dashboards. Everything is checked as
 * it is built (see RuleGroupBuilder).
 */
export function collectMonitoring(config: StackConfig, components: readonly MonitoredComponent[], extensions: ExtensionFiles = NO_EXTENSIONS): MonitoringOutput {
  const catalog = fullCatalog(components, config);
  const deployedComponents = components.filter((c) => c.enabled(config));
  const enabled = mixinsOf(components.filter((c) => (c.monitored ?? c.enabled)(config)));
  const recorded = new Set<string>();
  const base: MixinContext = { config, catalog, recorded, deployed: deployedComponents.flatMap((c) => c.workloads) };
  const recordingGroups = new Map<string, readonly RuleGroupBuilder[]>();
  for (const m of enabled) {
    const groups = m.recordingRules?.(base) ?? [];
    groups.forEach((g) => g.recordNames.forEach((r) => recorded.add(r)));
    recordingGroups.set(m.name, groups);
  }
  const ruleFiles: Record<string, string> = {};
  const federationRuleNames = new Set<string>();
  // promtool tests are rendered only when asked for (npm run generate, tests): synth deploys the rules alone.
  const testRenderers: (() => [string, string])[] = [];
  // Dashboards see every deployed mixin's stack health rows (rules and rows are built first).
  const withRows: MixinContext = { ...base, stackHealthRows: enabled.flatMap((m) => m.stackHealthRows?.(base) ?? []) };
  const dashboardDefs: DashboardDef[] = [];
  const alerts: ShippedAlert[] = [];
  const groupNames = new Set<string>();
  for (const m of enabled) {
    const groups = [...(recordingGroups.get(m.name) ?? []), ...(m.alertingRules?.(base) ?? [])];
    groups.forEach((g) => groupNames.add(g.name));
    if (groups.length > 0) {
      const file = `${m.name}.rules.yaml`;
      alerts.push(...groups.flatMap((g) => g.alertRules.map((rule) => ({ rule, group: g.name, ruleFile: file }))));
      ruleFiles[file] = toYaml({ groups: groups.map((g) => g.build(config.runbookBaseUrl)) });
      if (m.scope === RuleScope.FEDERATION) federationRuleNames.add(file);
      // promtool evaluates every rule file the tests list; recorded series of other files are
      // listed too so cross-file references resolve.
      const needed = [file, ...[...recordingGroups.entries()].filter(([name, gs]) => name !== m.name && gs.length > 0).map(([name]) => `${name}.rules.yaml`)];
      if (groups.some((g) => g.alertRules.length > 0)) {
        testRenderers.push(() => {
          const tests = promtoolTests(file, groups, config.runbookBaseUrl, config.evaluationInterval) as { rule_files: string[] };
          return [`${m.name}.rules.test.yaml`, toYaml({ ...tests, rule_files: needed })];
        });
      }
    }
    dashboardDefs.push(...(m.dashboards?.(withRows) ?? []));
  }
  const dashboards = dashboardDefs.map((d) => ({ uid: d.uid, folder: d.folder, json: d.text }));
  // The user's own, checked against the stack's names and catalog; Prometheus evaluates their rules.
  const user = checkExtensions(extensions, {
    catalog,
    recorded,
    groups: groupNames,
    dashboardUids: new Set(dashboardDefs.map((d) => d.uid)),
  });
  let ruleTests: Readonly<Record<string, string>> | undefined;
  return {
    catalog,
    ruleFiles: { ...ruleFiles, ...user.ruleFiles },
    federationRuleNames,
    ruleTests: () => (ruleTests ??= Object.fromEntries(testRenderers.map((render) => render()))),
    dashboards: [...dashboards, ...user.dashboards],
    dashboardDefs,
    alerts,
    warnings: user.warnings,
  };
}
