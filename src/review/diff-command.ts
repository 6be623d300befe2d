import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatDiff, semanticDiff, type ManifestObject } from './semantic-diff';

/** Reads every object of a dist/ directory. */
export function readManifests(dir: string): ManifestObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as ManifestObject))
    .filter((o) => o !== null);
}

/** Synthesizes the project at `root` (its own build) into a new directory, with the given environment. */
function synthAt(root: string, env: NodeJS.ProcessEnv): string {
  const out = mkdtempSync(join(tmpdir(), 'flobs-diff-out-'));
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, [join(root, 'lib/main.js')], { cwd: root, env: { ...env, CDK8S_OUTDIR: out }, stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

/** Options of {@link runDiff}. */
export interface DiffOptions {
  /** The repository (working tree) to compare. */
  readonly repo: string;
  /** Git ref of the base. @default - the merge base with main */
  readonly base?: string;
  /** Profile for both sides. @default - STACK_PROFILE, else minikube */
  readonly profile?: string;
  readonly format: 'text' | 'json';
}

/** Synthesizes the base ref (in a temporary worktree) and the working tree and diffs them. */
export function runDiff(options: DiffOptions): { output: string; changed: boolean } {
  const repo = resolve(options.repo);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  const base = options.base ?? git('merge-base', 'HEAD', 'main');
  const worktree = mkdtempSync(join(tmpdir(), 'flobs-diff-base-'));
  const env = { ...process.env, ...(options.profile === undefined ? {} : { STACK_PROFILE: options.profile }) };
  try {
    git('worktree', 'add', '--detach', worktree, base);
    symlinkSync(join(repo, 'node_modules'), join(worktree, 'node_modules'));
    const diff = semanticDiff(readManifests(synthAt(worktree, env)), readManifests(synthAt(repo, env)));
    const changed = diff.added.length + diff.removed.length + diff.changed.length > 0;
    return { output: options.format === 'json' ? JSON.stringify(diff, null, 2) : formatDiff(diff), changed };
  } finally {
    git('worktree', 'remove', '--force', worktree);
    rmSync(worktree, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const format = arg('--format') ?? 'text';
  if (format !== 'text' && format !== 'json') {
    console.error(`--format must be text or json, got '${format}'`);
    return 2;
  }
  const { output, changed } = runDiff({ repo: process.cwd(), base: arg('--base'), profile: arg('--profile'), format });
  console.log(output);
  return changed ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
