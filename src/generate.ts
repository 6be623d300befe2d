import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMPONENTS } from './component-list';
import { resolveConfig } from './config/loader';
import type { StackConfig } from './config/schema';
import { ALERT_TABLE_FILE, alertTableMarkdown, runbookFiles } from './monitoring/alert-docs';
import { collectMonitoring, type MonitoringOutput } from './monitoring/collect';
import { checkDashboards, DashboardCheckError } from './monitoring/dashboard-check';
import type { MonitoredComponent } from './monitoring/mixin';
import { RUNBOOK_DIR } from './monitoring/rules';

/**
 * The configs the committed files are generated for. First the production profile, where every
 * component but the alternatives is enabled; then one variant per alternative component no profile
 * enables (Promtail instead of the OpenTelemetry Collector), which adds that component's rule files,
 * tests and runbooks; then the central profile (Thanos instead of VictoriaMetrics). A file both
 * produce is taken from the first.
 */
function generationConfigs(): StackConfig[] {
  return [
    resolveConfig({ profile: 'production' }),
    resolveConfig({ profile: 'production', overrides: { promtail: { enabled: true }, otelCollector: { enabled: false } } }),
    // Thanos, the central profile's long-term store in VictoriaMetrics's place.
    resolveConfig({ profile: 'central' }),
  ];
}

/** The series the rule files record (the `record` of every recording rule). */
function recordedSeries(ruleFiles: MonitoringOutput['ruleFiles']): Set<string> {
  const docs = Object.values(ruleFiles).map((text) => parse(text) as { groups: { rules: { record?: string }[] }[] });
  return new Set(docs.flatMap((d) => d.groups.flatMap((g) => g.rules.flatMap((r) => (r.record === undefined ? [] : [r.record])))));
}

/**
 * The generated, committed files: path relative to the repository root → content. Throws a
 * {@link DashboardCheckError} naming each dashboard, panel and target when a dashboard fails the
 * checks of monitoring/dashboard-check (a query that does not parse, a metric neither catalogued
 * nor recorded, an undefined variable, …).
 * @default components - the stack's component list
 */
export function generatedFiles(components: readonly MonitoredComponent[] = COMPONENTS): Record<string, string> {
  const outputs = generationConfigs().map((config) => collectMonitoring(config, components));
  for (const output of outputs) {
    checkDashboards(output.dashboardDefs, { catalog: output.catalog, recorded: recordedSeries(output.ruleFiles) });
  }
  const files: Record<string, string> = {};
  const add = (path: string, text: string) => {
    files[path] ??= text;
  };
  for (const output of outputs) {
    for (const [name, text] of Object.entries({ ...output.ruleFiles, ...output.ruleTests() })) add(`rules/${name}`, text);
    for (const d of output.dashboards) add(`dashboards/${d.uid}.json`, d.json);
  }
  // Thresholds and selectors are the same in every profile unless a config file changes them; the
  // catalog lists every component's metrics whatever is enabled.
  files['contracts/metric-catalog.json'] = `${JSON.stringify(outputs[0].catalog.toJson(), null, 2)}\n`;
  const alerts = outputs.flatMap((o) => o.alerts).filter((a, i, all) => all.findIndex((b) => b.rule.alert === a.rule.alert) === i);
  Object.assign(files, runbookFiles(alerts));
  files[ALERT_TABLE_FILE] = alertTableMarkdown(alerts);
  return files;
}

/** The directories whose content is entirely generated. */
export const GENERATED_DIRS = ['rules', 'dashboards', RUNBOOK_DIR];

/**
 * `npm run generate`: writes the generated files under `root` and returns the line it prints. The
 * files are built (and checked) before anything is removed: a failure leaves `root` untouched.
 * @default components - the stack's component list
 */
export function generate(root: string, components: readonly MonitoredComponent[] = COMPONENTS): string {
  const files = generatedFiles(components);
  for (const dir of GENERATED_DIRS) {
    rmSync(join(root, dir), { recursive: true, force: true });
    mkdirSync(join(root, dir), { recursive: true });
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return `generated ${Object.keys(files).length} files: ${GENERATED_DIRS.map((d) => `${d}/ (${readdirSync(join(root, d)).length})`).join(', ')}, contracts/metric-catalog.json, ${ALERT_TABLE_FILE}`;
}

function main(): number {
  try {
    console.log(generate(process.cwd()));
    return 0;
  } catch (err) {
    if (err instanceof DashboardCheckError) {
      console.error(err.message);
      console.error('nothing was written');
      return 1;
    }
    throw err;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
