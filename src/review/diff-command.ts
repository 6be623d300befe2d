import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { ManifestObject } from '../common/manifest';
import { ConfigError, loadConfig } from '../config/loader';
import { formatDiff, semanticDiff } from './semantic-diff';

/** Reads every object of a dist/ directory. */
export function readManifests(dir: string): ManifestObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as ManifestObject))
    .filter((o) => o !== null);
}

/** A problem with the arguments, the config or the base ref: exit {@link DiffExit.Usage}, message only. */
export class DiffUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffUsageError';
  }
}

/** Exit codes of `npm run diff`. */
export enum DiffExit {
  Unchanged = 0,
  Changed = 1,
  /** Bad arguments, config or base ref, or a side that cannot be synthesized. */
  Usage = 2,
}

/** The output formats of the diff. */
export enum DiffFormat {
  Text = 'text',
  Json = 'json',
}

/**
 * Synthesizes the project at `root` (its own build) into `out`. A failing synth (a config the side's
 * schema refuses, a build error) becomes a {@link DiffUsageError} carrying what the synth printed.
 */
async function synthAt(label: string, root: string, out: string, env: NodeJS.ProcessEnv, running: Set<ChildProcess>): Promise<void> {
  for (const [what, args, extraEnv] of [
    ['build', [join(root, 'scripts/build.mjs')], {}],
    ['synth', [join(root, 'lib/main.js')], { CDK8S_OUTDIR: out }],
  ] as const) {
    // Asynchronous, so an interrupt is handled while a side is built or synthesized.
    const child = spawn(process.execPath, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const status = await new Promise<number | string>((done) => {
      child.on('error', (err) => done(err.message));
      child.on('close', (code, signal) => done(code ?? `signal ${signal}`));
    });
    running.delete(child);
    if (status !== 0) {
      throw new DiffUsageError(`cannot ${what} the ${label}:\n${stderr.trim() || (typeof status === 'string' ? status : `exit status ${status}`)}`);
    }
  }
}

/** Options of {@link runDiff}. */
export interface DiffOptions {
  /** The repository (working tree) to compare. */
  readonly repo: string;
  /** Git ref of the base. @default - the merge base with main */
  readonly base?: string;
  /** Profile for both sides. @default - STACK_PROFILE, else minikube */
  readonly profile?: string;
  /** @default DiffFormat.Text */
  readonly format?: DiffFormat;
  /** Where the temporary worktree and outputs go (removed before returning). @default - the OS temp dir */
  readonly tmpRoot?: string;
}

/**
 * Synthesizes the base ref (in a temporary worktree) and the working tree and diffs them. Every
 * temporary directory and the worktree's registration are removed however it ends.
 */
export async function runDiff(options: DiffOptions): Promise<{ output: string; changed: boolean }> {
  const repo = resolve(options.repo);
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout ?? ''}`.trim(), err: `${r.stderr ?? ''}`.trim() };
  };
  if (!git('rev-parse', '--is-inside-work-tree').ok) {
    throw new DiffUsageError(`${repo} is not a git working tree`);
  }
  let base = options.base;
  if (base === undefined) {
    const mb = git('merge-base', 'HEAD', 'main');
    if (!mb.ok) throw new DiffUsageError(`no merge base of HEAD and main: give --base <ref> (${mb.err || 'git merge-base failed'})`);
    base = mb.out;
  } else if (!git('rev-parse', '--verify', '--quiet', `${base}^{commit}`).ok) {
    throw new DiffUsageError(`--base: '${base}' is not a commit of this repository`);
  }
  const env = { ...process.env, ...(options.profile === undefined ? {} : { STACK_PROFILE: options.profile }) };
  const tmp = mkdtempSync(join(options.tmpRoot ?? tmpdir(), 'flobs-diff-'));
  const worktree = join(tmp, 'base');
  const running = new Set<ChildProcess>();
  const release = onInterrupt(() => {
    running.forEach((child) => child.kill('SIGTERM'));
    cleanup();
  });
  function cleanup(): void {
    git('worktree', 'remove', '--force', worktree);
    rmSync(tmp, { recursive: true, force: true });
    git('worktree', 'prune');
  }
  try {
    const added = git('worktree', 'add', '--detach', worktree, base);
    if (!added.ok) throw new DiffUsageError(`cannot check out --base '${base}': ${added.err}`);
    symlinkSync(join(repo, 'node_modules'), join(worktree, 'node_modules'));
    await synthAt(`base (${base})`, worktree, join(tmp, 'out-base'), env, running);
    await synthAt('working tree', repo, join(tmp, 'out-head'), env, running);
    const diff = semanticDiff(readManifests(join(tmp, 'out-base')), readManifests(join(tmp, 'out-head')));
    const changed = diff.added.length + diff.removed.length + diff.changed.length > 0;
    return { output: (options.format ?? DiffFormat.Text) === DiffFormat.Json ? JSON.stringify(diff, null, 2) : formatDiff(diff), changed };
  } finally {
    release();
    cleanup();
  }
}

/** Runs `cleanup` then exits 130/143 on SIGINT/SIGTERM; returns the function that uninstalls it. */
function onInterrupt(cleanup: () => void): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      cleanup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once(signal, handler);
    return () => process.removeListener(signal, handler);
  });
  return () => handlers.forEach((remove) => remove());
}

export const DIFF_USAGE = 'usage: npm run diff -- [--base <git ref>] [--profile <profile>] [--format text|json]\nexit status: 0 no change, 1 changes, 2 usage, config or base error';

/** The command: parses the arguments strictly, checks the config, diffs; returns the exit code. */
export async function diffMain(argv: readonly string[], repo = process.cwd()): Promise<number> {
  try {
    let values: { base?: string; profile?: string; format?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: false,
        options: { base: { type: 'string' }, profile: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      }));
    } catch (err) {
      throw new DiffUsageError((err as Error).message);
    }
    if (values.help === true) {
      console.log(DIFF_USAGE);
      return DiffExit.Unchanged;
    }
    const format = values.format ?? DiffFormat.Text;
    if (!(Object.values(DiffFormat) as string[]).includes(format)) {
      throw new DiffUsageError(`--format: must be one of ${Object.values(DiffFormat).join(', ')}, got '${format}'`);
    }
    for (const [flag, value] of Object.entries({ '--base': values.base, '--profile': values.profile })) {
      if (value === '') throw new DiffUsageError(`${flag}: needs a value`);
    }
    // The working tree's own config check first: a bad STACK_CONFIG / STACK_PROFILE / --profile is a
    // usage error named by the loader, not a failure deep inside a synth.
    loadConfig({ ...process.env, ...(values.profile === undefined ? {} : { STACK_PROFILE: values.profile }) });
    const { output, changed } = await runDiff({ repo, base: values.base, profile: values.profile, format: format as DiffFormat });
    console.log(output);
    return changed ? DiffExit.Changed : DiffExit.Unchanged;
  } catch (err) {
    if (err instanceof DiffUsageError || err instanceof ConfigError) {
      console.error(`diff: ${err.message}`);
      console.error(DIFF_USAGE);
      return DiffExit.Usage;
    }
    throw err;
  }
}

if (require.main === module) {
  void diffMain(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
