import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { tempDir } from './processes';

const ROOT = resolve(__dirname, '../..');

/** The health command bundled as scripts/build.mjs bundles it, in a temporary directory. */
export function buildHealthCli(): string {
  const out = tempDir('cli');
  buildSync({ entryPoints: [join(ROOT, 'src/health-command.ts')], outdir: out, bundle: true, platform: 'node', target: 'node22', format: 'cjs', packages: 'external', logLevel: 'warning' });
  return join(out, 'health-command.js');
}

/** A clean environment for the command: its packages, no kubeconfig or stack config of the caller. */
export const CLI_ENV: Readonly<Record<string, string>> = { PATH: process.env.PATH ?? '', NODE_PATH: join(ROOT, 'node_modules'), HOME: '/nonexistent' };

/** Runs the bundled command as its own process. */
export function runHealthCli(cli: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...CLI_ENV, ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
