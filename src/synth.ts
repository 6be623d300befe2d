import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { App } from 'cdk8s';
import type { StackConfig } from './config/schema';
import { buildStack } from './stack';
import { formatSummary, summarize } from './summary';

/**
 * Synthesizes the stack for `config` into `outdir`. Output goes to a fresh sibling directory that
 * replaces `outdir` only once everything was written: a failure leaves an existing outdir untouched.
 * Returns the summary text.
 */
export function synthesize(config: StackConfig, outdir: string): string {
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}-`));
  try {
    const app = new App({ outdir: staging });
    const { charts, warnings } = buildStack(app, config);
    app.synth();
    const summary = formatSummary(summarize(charts), config.profile, outdir, warnings);
    if (existsSync(target)) {
      rmSync(target, { recursive: true, force: true });
    }
    renameSync(staging, target);
    return summary;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
