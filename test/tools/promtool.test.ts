import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../../src/config/loader';
import { prometheusConfig } from '../../src/components/prometheus/config';
import { stackTopology } from '../../src/component-list';
import { stringify } from 'yaml';
import { tool } from '../tools';
import { EXTERNAL_SCRAPE_JOBS, ONBOARDED_ALL, ONBOARDED_LIST, REMOTE_WRITE_TARGETS } from '../components/prometheus/variants';

const RULES = resolve(__dirname, '../../rules');

test('promtool (the deployed Prometheus version) reports its version', () => {
  const out = execFileSync(tool('promtool'), ['--version'], { encoding: 'utf8' });
  const versions = require('../../src/versions.json');
  expect(out).toContain(`version ${versions.images.prometheus.tag.replace(/^v/, '')}`);
});

test('promtool check rules accepts every committed rule file', () => {
  const files = execFileSync('ls', [RULES], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.rules.yaml'));
  expect(files.length).toBeGreaterThan(5);
  const r = spawnSync(tool('promtool'), ['check', 'rules', ...files], { cwd: RULES, encoding: 'utf8' });
  expect(r.stderr + r.stdout).not.toContain('FAILED');
  expect(r.status).toBe(0);
});

test('promtool test rules passes every committed unit test', () => {
  const files = execFileSync('ls', [RULES], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.rules.test.yaml'));
  const r = spawnSync(tool('promtool'), ['test', 'rules', ...files], { cwd: RULES, encoding: 'utf8' });
  expect(r.stdout + r.stderr).not.toContain('FAILED');
  expect(r.status).toBe(0);
});

test('promtool test rules fails a wrong expectation (the check can fail)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-promtool-'));
  writeFileSync(join(dir, 'r.yaml'), 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n        for: 1m\n');
  writeFileSync(join(dir, 't.yaml'), 'rule_files: [r.yaml]\ntests:\n  - interval: 1m\n    input_series: [{series: x, values: "0x5"}]\n    alert_rule_test: [{eval_time: 3m, alertname: A, exp_alerts: [{exp_labels: {}}]}]\n');
  const r = spawnSync(tool('promtool'), ['test', 'rules', 't.yaml'], { cwd: dir, encoding: 'utf8' });
  expect(r.status).not.toBe(0);
});

/** Every variant of prometheus.yml: both profiles, onboarded namespaces (a list, all) and remote_write targets of every kind. */
const VARIANTS: readonly [string, 'minikube' | 'production', Record<string, unknown>][] = [
  ['minikube', 'minikube', {}],
  ['production', 'production', {}],
  ['onboarded namespaces', 'minikube', ONBOARDED_LIST],
  ['every namespace onboarded', 'production', ONBOARDED_ALL],
  ['remote_write targets, single replica', 'minikube', REMOTE_WRITE_TARGETS],
  ['remote_write targets, HA replicas, no VictoriaMetrics', 'production', { ...REMOTE_WRITE_TARGETS, victoriaMetrics: { enabled: false } }],
  ['external scrape jobs', 'minikube', EXTERNAL_SCRAPE_JOBS],
  ['HTTPS web servers (webTls), HA replicas', 'production', { webTls: { enabled: true } }],
];

test.each(VARIANTS)('promtool check config accepts the generated prometheus.yml (%s)', (_name, profile, overrides) => {
  const config = resolveConfig({ profile, overrides });
  const dir = mkdtempSync(join(tmpdir(), 'flobs-promtool-'));
  writeFileSync(join(dir, 'prometheus.yml'), stringify(prometheusConfig(config, stackTopology(config)), { lineWidth: 0 }));
  const r = spawnSync(tool('promtool'), ['check', 'config', '--syntax-only', 'prometheus.yml'], { cwd: dir, encoding: 'utf8' });
  expect(r.stdout + r.stderr).toContain('SUCCESS');
  expect(r.status).toBe(0);
});

test.each(['292y', '293y', '106751d', '106752d', '1000y', '15d'])('duration %s: the schema and Prometheus agree whether it is in range', (value) => {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-duration-'));
  writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { scrape_interval: value, evaluation_interval: '1m' } }));
  const prometheusAccepts = spawnSync(tool('promtool'), ['check', 'config', 'prometheus.yml'], { cwd: dir, encoding: 'utf8' }).status === 0;
  let schemaAccepts = true;
  try {
    resolveConfig({ overrides: { prometheus: { retention: value } } });
  } catch {
    schemaAccepts = false;
  }
  expect(schemaAccepts).toBe(prometheusAccepts);
});

test.each(['(?i)up|fl_.+', '(?P<name>x)', '(?<name>x)', '[[:alpha:]]+', '\\p{Greek}', '(?s:.)', '(?=x)', 'a\\1', '(', 'x**', 'a{2,1}', 'a{1001}', '[z-a]'])(
  'relabel regex %s: the schema and Prometheus agree whether it is RE2',
  (regex) => {
    const dir = mkdtempSync(join(tmpdir(), 'flobs-regex-'));
    const rule = { source_labels: ['__name__'], regex, action: 'keep' };
    writeFileSync(join(dir, 'prometheus.yml'), stringify({ remote_write: [{ url: 'http://127.0.0.1:1/api/v1/write', write_relabel_configs: [rule] }] }));
    const prometheusAccepts = spawnSync(tool('promtool'), ['check', 'config', '--syntax-only', 'prometheus.yml'], { cwd: dir, encoding: 'utf8' }).status === 0;
    let schemaAccepts = true;
    try {
      resolveConfig({ overrides: { prometheus: { remoteWrite: [{ type: 'victoriaMetrics', writeRelabelConfigs: [{ sourceLabels: ['__name__'], regex, action: 'keep' }] }] } } });
    } catch {
      schemaAccepts = false;
    }
    expect(schemaAccepts).toBe(prometheusAccepts);
  },
);
