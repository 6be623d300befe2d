import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from './config/loader';
import { collectMonitoring } from './monitoring/collect';

/** The generated, committed files: path relative to the repository root → content. */
export function generatedFiles(): Record<string, string> {
  // Generated for the production profile, where every component (the GPU exporter too) is enabled;
  // thresholds and selectors are the same in every profile unless a config file changes them.
  const output = collectMonitoring(resolveConfig({ profile: 'production' }));
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(output.ruleFiles)) {
    files[`rules/${name}`] = text;
  }
  for (const [name, text] of Object.entries(output.ruleTests)) {
    files[`rules/${name}`] = text;
  }
  for (const d of output.dashboards) {
    files[`dashboards/${d.uid}.json`] = d.json;
  }
  files['contracts/metric-catalog.json'] = `${JSON.stringify(output.catalog.toJson(), null, 2)}\n`;
  return files;
}

/** The directories whose content is entirely generated. */
export const GENERATED_DIRS = ['rules', 'dashboards'];

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
  console.log(`generated ${Object.keys(files).length} files: ${GENERATED_DIRS.map((d) => `${d}/ (${readdirSync(join(root, d)).length})`).join(', ')}, contracts/metric-catalog.json`);
}

if (require.main === module) {
  main(process.cwd());
}
