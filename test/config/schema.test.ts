import { ConfigError, resolveConfig } from '../../src/config/loader';
import { INVALID } from './invalid-configs';


test.each(INVALID)('refuses %s', (_name, overrides, expected) => {
  let error: unknown;
  try {
    resolveConfig({ overrides });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const lines = (error as ConfigError).problems.map((p) => `${p.path}: ${p.message} (got ${p.value === undefined ? 'nothing' : JSON.stringify(p.value)})`);
  expect(lines).toContain(expected);
});

test('the invalid corpus has at least 60 cases', () => {
  expect(INVALID.length).toBeGreaterThanOrEqual(60);
});

test('both profiles are valid as they are', () => {
  expect(() => resolveConfig({ profile: 'minikube' })).not.toThrow();
  expect(() => resolveConfig({ profile: 'production' })).not.toThrow();
});
