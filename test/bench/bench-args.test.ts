// `npm run bench -- --helm <path> --chart <dir>`: the side-by-side mode's arguments and object count.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchUsageError, countObjects, parseBenchArgs } from '../../src/bench';

function fixture(): { helm: string; chart: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-bench-args-'));
  const helm = join(dir, 'helm');
  writeFileSync(helm, '#!/bin/sh\n');
  chmodSync(helm, 0o755);
  const chart = join(dir, 'chart');
  mkdirSync(chart);
  writeFileSync(join(chart, 'Chart.yaml'), 'name: x\nversion: 1.0.0\n');
  return { helm, chart, dir };
}

test('no arguments: the default benchmark', () => {
  expect(parseBenchArgs([])).toEqual({ runs: 7 });
});

test('--helm and --chart: the side-by-side mode, 7 runs unless --runs', () => {
  const { helm, chart } = fixture();
  expect(parseBenchArgs(['--helm', helm, '--chart', chart])).toEqual({ helm, chart, runs: 7 });
  expect(parseBenchArgs(['--runs', '11', '--chart', chart, '--helm', helm])).toEqual({ helm, chart, runs: 11 });
});

test.each([
  ['a missing helm binary', (f: ReturnType<typeof fixture>) => ['--helm', join(f.dir, 'nope'), '--chart', f.chart], /^--helm: .*nope does not exist$/],
  ['a helm that is a directory', (f: ReturnType<typeof fixture>) => ['--helm', f.dir, '--chart', f.chart], /^--helm: .* is not a file$/],
  ['a helm that is not executable', (f: ReturnType<typeof fixture>) => ['--helm', join(f.chart, 'Chart.yaml'), '--chart', f.chart], /^--helm: .* is not executable$/],
  ['no --chart', (f: ReturnType<typeof fixture>) => ['--helm', f.helm], /^--chart <chart directory> is needed with --helm/],
  ['a missing chart', (f: ReturnType<typeof fixture>) => ['--helm', f.helm, '--chart', join(f.dir, 'nope')], /^--chart: .*nope does not exist$/],
  ['a chart without Chart.yaml', (f: ReturnType<typeof fixture>) => ['--helm', f.helm, '--chart', f.dir], /^--chart: .* has no Chart\.yaml/],
  ['--chart without --helm', (f: ReturnType<typeof fixture>) => ['--chart', f.chart], /^--chart and --runs go with --helm/],
  ['--runs 0', (f: ReturnType<typeof fixture>) => ['--helm', f.helm, '--chart', f.chart, '--runs', '0'], /^--runs: "0" is not a whole number/],
  ['--runs 2.5', (f: ReturnType<typeof fixture>) => ['--helm', f.helm, '--chart', f.chart, '--runs', '2.5'], /^--runs: "2.5" is not a whole number/],
  ['a flag without its value', (f: ReturnType<typeof fixture>) => ['--helm', '--chart', f.chart], /^--helm needs a value/],
  ['an unknown argument', () => ['--fast'], /^unknown argument "--fast"/],
])('refuses %s, naming the flag', (_name, args, message) => {
  const f = fixture();
  expect(() => parseBenchArgs(args(f))).toThrow(BenchUsageError);
  expect(() => parseBenchArgs(args(f))).toThrow(message);
});

test('objects are the YAML documents with a top-level kind, in our files and in helm template output', () => {
  expect(countObjects('apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n  kind: nested\n')).toBe(2);
  expect(countObjects('---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: A\n---\n# Source: chart/templates/empty.yaml\n---\nkind: B\n')).toBe(2);
  expect(countObjects('')).toBe(0);
});
