import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, deepMerge, loadConfig, resolveConfig } from '../../src/config/loader';
import { DEFAULTS } from '../../src/config/profiles';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) {
      return err.problems.map((p) => `${p.path}: ${p.message} (got ${p.value === undefined ? 'nothing' : JSON.stringify(p.value)})`);
    }
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-config-'));
  const file = join(dir, 'stack.yaml');
  writeFileSync(file, text);
  return file;
}

test('with nothing given, the minikube defaults', () => {
  expect(resolveConfig()).toEqual(DEFAULTS);
  expect(loadConfig({})).toEqual(DEFAULTS);
});

test('STACK_PROFILE picks the production overlay', () => {
  const config = loadConfig({ STACK_PROFILE: 'production' });
  expect(config.profile).toBe('production');
  expect(config.prometheus.replicas).toBe(2);
  expect(config.prometheus.retention).toBe('15d');
  expect(config.dcgmExporter.enabled).toBe(true);
  // Untouched fields keep their defaults.
  expect(config.scrapeInterval).toBe(DEFAULTS.scrapeInterval);
});

test('a STACK_CONFIG file may set the profile and override any field', () => {
  const file = writeConfig('profile: production\nprometheus:\n  retention: 30d\nfl:\n  numClients: 12\n');
  const config = loadConfig({ STACK_CONFIG: file });
  expect(config.profile).toBe('production');
  expect(config.prometheus.retention).toBe('30d');
  expect(config.prometheus.replicas).toBe(2);
  expect(config.fl.numClients).toBe(12);
});

test('arrays in overrides replace, objects merge', () => {
  expect(deepMerge({ a: [1, 2], b: { c: 1, d: 2 } }, { a: [3], b: { d: 4 } })).toEqual({ a: [3], b: { c: 1, d: 4 } });
});

test('an unknown profile is refused with its name', () => {
  expect(problemsOf(() => loadConfig({ STACK_PROFILE: 'staging' }))).toEqual([
    'profile: unknown profile; expected one of minikube, production (got "staging")',
  ]);
});

test('STACK_PROFILE and a file profile that disagree are refused', () => {
  const file = writeConfig('profile: production\n');
  expect(problemsOf(() => loadConfig({ STACK_CONFIG: file, STACK_PROFILE: 'minikube' }))).toEqual([
    'profile: conflicts with STACK_PROFILE=minikube; set one of them (got "production")',
  ]);
});

test('a missing file and invalid YAML are config errors naming the file', () => {
  expect(problemsOf(() => loadConfig({ STACK_CONFIG: '/nonexistent/stack.yaml' }))[0]).toMatch(/^\(file\): cannot read STACK_CONFIG: .*\(got "\/nonexistent\/stack.yaml"\)$/);
  const bad = writeConfig('prometheus: [unclosed\n');
  expect(problemsOf(() => loadConfig({ STACK_CONFIG: bad }))[0]).toMatch(/^\(file\): not valid YAML/);
});

test('the error message lists every problem with path and value', () => {
  const err = (() => {
    try {
      resolveConfig({ overrides: { prometheus: { replicas: 0 }, scrapeInterval: 'soon' }, source: 'x.yaml' });
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  expect(err?.message).toBe(
    'invalid stack config (x.yaml):\n' +
      '  scrapeInterval: must be a positive duration such as 30s, 5m, 15d (got "soon")\n' +
      '  prometheus.replicas: Too small: expected number to be >=1 (got 0)',
  );
});
