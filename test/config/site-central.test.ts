import { ConfigError, REDACTED, resolveConfig } from '../../src/config/loader';
import type { Profile } from '../../src/config/schema';

/** The problem lines of a refused config, as ConfigError prints them. */
function problems(profile: Profile, overrides: Record<string, unknown>): string[] {
  try {
    resolveConfig({ profile, overrides });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => `${p.path}: ${p.message} (got ${p.value === undefined ? 'nothing' : JSON.stringify(p.value)})`);
  }
  throw new Error('the config was accepted');
}

const URL = 'https://receive.central.example.org/api/v1/receive';
const site = (vmagent: Record<string, unknown> = {}): Record<string, unknown> => ({ vmagent: { remoteWrite: { url: URL }, ...vmagent } });

test('the site profile with its central URL, and the central profile, are valid', () => {
  expect(resolveConfig({ profile: 'site', overrides: site() }).vmagent.enabled).toBe(true);
  const central = resolveConfig({ profile: 'central' });
  expect([central.thanos.enabled, central.victoriaMetrics.enabled]).toEqual([true, false]);
});

test('the site profile needs the central URL', () => {
  expect(problems('site', {})).toEqual(["vmagent.remoteWrite.url: is required when vmagent.enabled is true: the central store's remote-write URL (got nothing)"]);
});

test('the queue limit must fit its volume', () => {
  expect(problems('site', site({ maxDiskUsage: '3Gi' }))).toEqual([
    'vmagent.maxDiskUsage: maxDiskUsage 3Gi is larger than the volume it lives on (vmagent.storage.size 2Gi) (got "3Gi")',
  ]);
});

test('a client certificate needs https', () => {
  expect(problems('site', { vmagent: { remoteWrite: { url: 'http://receive.central.example.org/api/v1/receive', tls: undefined } } })).toContain(
    `vmagent.remoteWrite.tls: is set but the url is http://: use an https URL (got {"ca":${JSON.stringify(REDACTED)}})`,
  );
  expect(problems('site', { vmagent: { remoteWrite: { url: 'http://receive.central.example.org/api/v1/receive' } } })).toContain(
    'vmagent.remoteWrite.auth.type: clientCertificate needs an https url (a client certificate is presented in the TLS handshake) (got "clientCertificate")',
  );
});

test('credentials in the URL are refused and not printed', () => {
  const lines = problems('site', { vmagent: { remoteWrite: { url: 'https://site:hunter2@receive.central.example.org/api/v1/receive' } } });
  expect(lines[0]).toMatch(/^vmagent\.remoteWrite\.url: must not carry credentials/);
  expect(lines.join('\n')).not.toContain('hunter2');
});

test('another auth method replaces the profile\'s whole (no field of the client certificate is left over)', () => {
  const config = resolveConfig({ profile: 'site', overrides: site({ remoteWrite: { url: URL, auth: { type: 'bearer', token: { name: 'central-token', key: 'token' } } } }) });
  expect(config.vmagent.remoteWrite.auth).toEqual({ type: 'bearer', token: { name: 'central-token', key: 'token' } });
});

test('a password given inline where a Secret reference belongs is not printed', () => {
  const lines = problems('site', site({ remoteWrite: { url: URL, auth: { type: 'basic', username: 'site-a', password: 'hunter2' } } }));
  expect(lines).toEqual([`vmagent.remoteWrite.auth.password: Invalid input: expected object, received string (got ${JSON.stringify(REDACTED)})`]);
});

test('an unknown auth type names the field', () => {
  expect(problems('site', site({ remoteWrite: { url: URL, auth: { type: 'oauth2' } } }))[0]).toMatch(/^vmagent\.remoteWrite\.auth\.type: /);
});

test('the site name is a DNS label (it becomes a label value and a tenant)', () => {
  expect(problems('site', site({ site: '../etc' }))).toEqual(['vmagent.site: must be a lowercase RFC 1123 name (got "../etc")']);
});

test('the hashring needs at least 3 replicas', () => {
  expect(problems('central', { thanos: { receive: { replicas: 2 } } })).toEqual([
    'thanos.receive.replicas: thanos.receive.replicas 2 is below 3: the hashring needs at least 3 replicas to lose one and keep replicating (got 2)',
  ]);
});

test('the replication factor cannot exceed the replicas', () => {
  expect(problems('central', { thanos: { receive: { replicas: 3, replicationFactor: 4 } } })).toEqual([
    'thanos.receive.replicationFactor: thanos.receive.replicationFactor 4 exceeds thanos.receive.replicas 3: each series is written to that many distinct replicas (got 4)',
  ]);
});

test('one long-term store at a time', () => {
  expect(problems('central', { victoriaMetrics: { enabled: true } })).toEqual([
    'thanos.enabled: thanos.enabled and victoriaMetrics.enabled are both true: choose one long-term store (got true)',
  ]);
});

test('coarser resolutions are kept at least as long as finer ones', () => {
  expect(problems('central', { thanos: { compact: { retention: { raw: '1y', fiveMinutes: '90d', oneHour: '2y' } } } })).toEqual([
    'thanos.compact.retention: raw 1y ≤ fiveMinutes 90d ≤ oneHour 2y does not hold: a coarser resolution is downsampled from a finer one and must be kept at least as long (got {"raw":"1y","fiveMinutes":"90d","oneHour":"2y"})',
  ]);
});

test('the object storage config is a Secret reference, never inline', () => {
  const lines = problems('central', { thanos: { objectStorage: 'type: S3\nconfig: { secret_key: hunter2 }' } });
  expect(lines).toEqual([`thanos.objectStorage: Invalid input: expected object, received string (got ${JSON.stringify(REDACTED)})`]);
});
