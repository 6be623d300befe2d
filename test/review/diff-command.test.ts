import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DiffExit, DiffFormat, diffMain, runDiff } from '../../src/review/diff-command';

const ROOT = resolve(__dirname, '../..');

/** A throwaway git repository holding this project's sources, with one commit on main. */
function tempRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'flobs-diff-repo-'));
  for (const p of ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    cpSync(join(ROOT, p), join(repo, p), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'));
  writeFileSync(join(repo, '.gitignore'), 'node_modules\nlib\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
  return repo;
}

test('a change in the working tree shows as object field changes against the base ref', async () => {
  const repo = tempRepo();
  const profiles = join(repo, 'src/config/profiles.ts');
  writeFileSync(profiles, readFileSync(profiles, 'utf8').replace("retention: '3d',\n    retentionSize", "retention: '5d',\n    retentionSize").replace('accuracyMin: 0.5', 'accuracyMin: 0.6'));
  const { output, changed } = await runDiff({ repo, format: DiffFormat.Text });
  expect(changed).toBe(true);
  expect(output).toContain('~ StatefulSet fl-monitoring/prometheus');
  expect(output).toContain('    spec.template.spec.containers[prometheus].args[2]: "--storage.tsdb.retention.time=3d" → "--storage.tsdb.retention.time=5d"');
  expect(output).toContain('    data.fl.rules.yaml.groups[fl.alerts].rules[AccuracyDropped].expr: "fl_accuracy{job=\\"fl-server\\"} < 0.5" → "fl_accuracy{job=\\"fl-server\\"} < 0.6"');
  const json = JSON.parse((await runDiff({ repo, base: 'main', format: DiffFormat.Json })).output);
  expect(json.added).toEqual([]);
  expect(json.changed.map((c: { object: string }) => c.object)).toContain('ConfigMap fl-monitoring/prometheus-rules');
});

test('no change: nothing reported, not changed', async () => {
  const { output, changed } = await runDiff({ repo: tempRepo(), base: 'HEAD', format: DiffFormat.Text });
  expect([output, changed]).toEqual(['no changes', false]);
});

/** Runs the command in-process as `npm run diff` does; returns its exit code and what it printed. */
async function diffCli(argv: string[], repo: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return { code: await diffMain(argv, repo), out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.env = saved;
    log.mockRestore();
    error.mockRestore();
  }
}

/** The temporary directories the diff leaves behind, and the repository's extra worktrees. */
function leftovers(repo: string): { tmp: string[]; worktrees: number } {
  const tmp = readdirSync(tmpdir()).filter((n) => n.startsWith('flobs-diff-') && !n.startsWith('flobs-diff-repo-'));
  const worktrees = execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: repo, encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('worktree ')).length;
  return { tmp, worktrees };
}

describe('bad arguments: exit 2, a message naming the argument, nothing left behind', () => {
  let repo: string;
  let before: string[];
  beforeAll(() => {
    repo = tempRepo();
    before = leftovers(repo).tmp;
  });
  afterEach(() => {
    const after = leftovers(repo);
    expect(after.tmp.filter((n) => !before.includes(n))).toEqual([]);
    expect(after.worktrees).toBe(1);
  });

  test.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--base'], "Option '--base <value>' argument missing"],
    [['--base', ''], '--base: needs a value'],
    [['--format', 'yaml'], "--format: must be one of text, json, got 'yaml'"],
    [['stray'], "Unexpected argument 'stray'"],
    [['--base', 'no-such-ref'], "--base: 'no-such-ref' is not a commit of this repository"],
    [['--profile', 'staging'], 'profile: unknown profile; expected one of minikube, production, site, central (got "staging")'],
  ])('%j', async (argv, message) => {
    const r = await diffCli(argv, repo);
    expect(r.err.startsWith('diff: ')).toBe(true);
    expect(r.err).toContain(message);
    expect(r.err).toContain('usage: npm run diff');
    expect(r.out).toBe('');
    expect(r.code).toBe(DiffExit.Usage);
  });

  test('a bad STACK_CONFIG is named by the loader, before anything is synthesized', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flobs-diffcfg-')), 'stack.yaml');
    writeFileSync(file, 'prometheus:\n  retention: forever\n');
    const r = await diffCli(['--base', 'HEAD'], repo, { STACK_CONFIG: file });
    expect(r.err).toContain('prometheus.retention');
    expect(r.err).toContain('"forever"');
    expect(r.code).toBe(DiffExit.Usage);
  });

  test('a base that does not build: exit 2 with what the build said, the worktree removed', async () => {
    const main = join(repo, 'src/main.ts');
    const good = readFileSync(main, 'utf8');
    writeFileSync(main, `${good}\nthis is not TypeScript(\n`);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qam', 'broken base');
    writeFileSync(main, good);
    const r = await diffCli(['--base', 'HEAD'], repo);
    expect(r.err).toMatch(/diff: cannot build the base \(HEAD\):\n[\s\S]*main\.ts/);
    expect(r.code).toBe(DiffExit.Usage);
  });
});

test('interrupted (SIGINT) in the middle of a synth: exit 130, the worktree and temporary directories removed', async () => {
  const repo = tempRepo();
  execFileSync(process.execPath, [join(repo, 'scripts/build.mjs')], { cwd: repo });
  const before = leftovers(repo).tmp;
  const child = spawn(process.execPath, [join(repo, 'lib/review/diff-command.js'), '--base', 'HEAD'], { cwd: repo, stdio: 'ignore' });
  // Interrupt once the base worktree exists, i.e. while a side is being built or synthesized.
  for (let i = 0; i < 200 && leftovers(repo).worktrees < 2; i++) await new Promise((r) => setTimeout(r, 50));
  expect(leftovers(repo).worktrees).toBe(2);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  expect(code).toBe(130);
  const after = leftovers(repo);
  expect(after.tmp.filter((n) => !before.includes(n))).toEqual([]);
  expect(after.worktrees).toBe(1);
}, 120_000);
