import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runDiff } from '../../src/review/diff-command';

const ROOT = resolve(__dirname, '../..');

/** A throwaway git repository holding this project's sources, with one commit on main. */
function tempRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'flobs-diff-repo-'));
  for (const p of ['src', 'scripts', 'package.json', 'tsconfig.json']) {
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

test('a change in the working tree shows as object field changes against the base ref', () => {
  const repo = tempRepo();
  const profiles = join(repo, 'src/config/profiles.ts');
  writeFileSync(profiles, readFileSync(profiles, 'utf8').replace("retention: '3d',\n    retentionSize", "retention: '5d',\n    retentionSize").replace('accuracyMin: 0.5', 'accuracyMin: 0.6'));
  const { output, changed } = runDiff({ repo, format: 'text' });
  expect(changed).toBe(true);
  expect(output).toContain('~ StatefulSet fl-monitoring/prometheus');
  expect(output).toContain('    spec.template.spec.containers[prometheus].args[2]: "--storage.tsdb.retention.time=3d" → "--storage.tsdb.retention.time=5d"');
  expect(output).toContain('    data.fl.rules.yaml.groups[fl.alerts].rules[AccuracyDropped].expr: "fl_accuracy{job=\\"fl-server\\"} < 0.5" → "fl_accuracy{job=\\"fl-server\\"} < 0.6"');
  const json = JSON.parse(runDiff({ repo, base: 'main', format: 'json' }).output);
  expect(json.added).toEqual([]);
  expect(json.changed.map((c: { object: string }) => c.object)).toContain('ConfigMap fl-monitoring/prometheus-rules');
});

test('no change: nothing reported, not changed', () => {
  const { output, changed } = runDiff({ repo: tempRepo(), base: 'HEAD', format: 'text' });
  expect([output, changed]).toEqual(['no changes', false]);
});
