import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILE_LIMITS, ConfigError, deepMerge, loadConfig, REDACTED, resolveConfig } from '../../src/config/loader';
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

function writeConfig(text: string | Buffer): string {
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
    'profile: unknown profile; expected one of minikube, production, site, central (got "staging")',
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

describe('a config file that is not a stack config is named as such, quickly', () => {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('profile: production\n', 'utf16le')]);
  const latin1 = Buffer.from('clusterName: "m\xfcnchen"\n', 'latin1');
  const manyKeys = `x:\n${Array.from({ length: CONFIG_FILE_LIMITS.maxKeys + 1 }, (_, i) => `  k${i}: 1`).join('\n')}\n`;
  const aliasBomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 60 }, (_, i) => `b${i}: &b${i} [*${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}]`)].join('\n');
  test.each([
    ['an empty file', '', 'is empty: remove STACK_CONFIG to use the profile defaults, or set at least `profile:`'],
    ['only comments', '# nothing here\n\n', 'is empty: remove STACK_CONFIG to use the profile defaults, or set at least `profile:`'],
    ['UTF-16 with a byte order mark', utf16, 'is UTF-16 (byte order mark); save it as UTF-8'],
    ['Latin-1 bytes', latin1, 'is not valid UTF-8 (byte 0xfc at offset 15); save it as UTF-8'],
    ['a duplicate key', 'prometheus:\n  retention: 3d\n  retention: 5d\n', 'not valid YAML: the key "retention" appears twice in one mapping'],
    ['too many keys', manyKeys, `has more than ${CONFIG_FILE_LIMITS.maxKeys} keys; a stack config has a few hundred at most`],
    ['an alias bomb', aliasBomb, `has more than ${CONFIG_FILE_LIMITS.maxAliases} YAML aliases; a stack config needs none`],
    ['5 MB', `# ${'x'.repeat(5 * 1024 * 1024)}\n`, `is ${5 * 1024 * 1024 + 3} bytes; a stack config is at most ${CONFIG_FILE_LIMITS.maxBytes}`],
  ])('%s', (_name, content, message) => {
    const file = writeConfig(content);
    expect(problemsOf(() => loadConfig({ STACK_CONFIG: file }))).toEqual([`(file): ${message} (got ${JSON.stringify(file)})`]);
  });

  test('an explicit empty mapping is the documented no-op: the profile defaults', () => {
    expect(loadConfig({ STACK_CONFIG: writeConfig('{}\n') })).toEqual(DEFAULTS);
  });

  test('a UTF-8 byte order mark is fine', () => {
    expect(loadConfig({ STACK_CONFIG: writeConfig('\ufeffprofile: production\n') }).profile).toBe('production');
  });
});

describe('a value given where a Secret reference belongs is never printed', () => {
  const hook = 'https://hooks.slack.example/T000/B000/very-secret-token';
  const receivers = (receiver: Record<string, unknown>) => ({ alertmanager: { receivers: [receiver], routes: { critical: 'oncall', warning: null, info: null } } });
  test.each([
    ['a plaintext URL instead of a reference', { name: 'oncall', type: 'webhook', url: hook }, 'alertmanager.receivers.0.url', JSON.stringify(REDACTED)],
    ['a plaintext password', { name: 'oncall', type: 'email', to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com:587', authUsername: 'u', authPassword: hook }, 'alertmanager.receivers.0.authPassword', JSON.stringify(REDACTED)],
    ['an extra field beside a reference', { name: 'oncall', type: 'slack', channel: '#fl', apiUrl: { name: 's', key: 'k', value: hook } }, 'alertmanager.receivers.0.apiUrl.value', JSON.stringify(REDACTED)],
    ['an unknown receiver type: only the type is printed', { name: 'oncall', type: 'pager', url: hook }, 'alertmanager.receivers.0.type', '"pager"'],
  ])('%s', (_name, receiver, path, printed) => {
    const err = (() => {
      try {
        resolveConfig({ overrides: receivers(receiver) });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.message).not.toContain('very-secret-token');
    expect(err.problems.map((p) => p.path)).toContain(path);
    expect(err.message).toContain(`${path}: `);
    expect(err.message).toContain(`(got ${printed})`);
  });

  test('a mapping where the receiver list belongs: printed with the reference positions redacted', () => {
    expect(() => resolveConfig({ overrides: { alertmanager: { receivers: { first: { name: 'oncall', type: 'webhook', url: hook } } } } })).toThrow(
      `alertmanager.receivers: Invalid input: expected array, received object (got {"first":{"name":"oncall","type":"webhook","url":${JSON.stringify(REDACTED)}}})`,
    );
  });
});

describe('a remote_write target is printed without its credentials', () => {
  const secret = 'very-secret-token';
  const problem = (overrides: Record<string, unknown>): string => {
    try {
      resolveConfig({ overrides });
    } catch (e) {
      return (e as ConfigError).message;
    }
    throw new Error('expected a ConfigError');
  };

  test('a password inline, in the URL, in its query: none printed, the field named', () => {
    for (const target of [
      { type: 'url', name: 'central', url: 'https://metrics.example.org/w', basicAuth: { username: 'u', password: secret } },
      { type: 'url', name: 'central', url: `https://u:${secret}@metrics.example.org/w` },
      { type: 'url', name: 'central', url: `https://metrics.example.org/w?token=${secret}#frag` },
      { type: 'url', name: 'central', url: `https://metrics.example.org/w?token=${secret}`, bearerToken: secret },
    ]) {
      const message = problem({ prometheus: { remoteWrite: [target] } });
      expect(message).not.toContain(secret);
      expect(message).toMatch(/prometheus\.remoteWrite\.0\.(url|basicAuth\.password|bearerToken): /);
    }
  });

  test('a mapping where the target list belongs: URL and Secret positions redacted', () => {
    expect(problem({ prometheus: { remoteWrite: { central: { type: 'url', name: 'central', url: `https://u:${secret}@m.example.org/w?k=${secret}`, bearerToken: secret } } } })).toContain(
      `prometheus.remoteWrite: Invalid input: expected array, received object (got {"central":{"type":"url","name":"central","url":"https://<redacted>@m.example.org/w?<redacted>","bearerToken":${JSON.stringify(REDACTED)}}})`,
    );
  });
});
