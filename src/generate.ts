import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from './config/loader';
import type { StackConfig } from './config/schema';
import { ALERT_TABLE_FILE, alertTableMarkdown, runbookFiles } from './monitoring/alert-docs';
import { collectMonitoring } from './monitoring/collect';
import { RUNBOOK_DIR } from './monitoring/rules';

/**
 * The configs the committed files are generated for. First the production profile, where every
 * component but the alternatives is enabled; then one variant per alternative component no profile
 * enables (Promtail instead of the OpenTelemetry Collector), which adds that component's rule files,
 * tests and runbooks. A file both produce is taken from the first.
 */
function generationConfigs(): StackConfig[] {
  return [
    resolveConfig({ profile: 'production' }),
    resolveConfig({ profile: 'production', overrides: { promtail: { enabled: true }, otelCollector: { enabled: false } } }),
  ];
}

/** The generated, committed files: path relative to the repository root → content. */
export function generatedFiles(): Record<string, string> {
  const outputs = generationConfigs().map((config) => collectMonitoring(config));
  const files: Record<string, string> = {};
  const add = (path: string, text: string) => {
    files[path] ??= text;
  };
  for (const output of outputs) {
    for (const [name, text] of Object.entries({ ...output.ruleFiles, ...output.ruleTests })) add(`rules/${name}`, text);
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

function main(root: string): void {
  for (const dir of GENERATED_DIRS) {
    rmSync(join(root, dir), { recursive: true, force: true });
    mkdirSync(join(root, dir), { recursive: true });
  }
  const files = generatedFiles();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  console.log(`generated ${Object.keys(files).length} files: ${GENERATED_DIRS.map((d) => `${d}/ (${readdirSync(join(root, d)).length})`).join(', ')}, contracts/metric-catalog.json, ${ALERT_TABLE_FILE}`);
}

if (require.main === module) {
  main(process.cwd());
}
