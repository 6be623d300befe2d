import { spawn } from 'node:child_process';
import { parseHealthArgs, ReportFormat } from '../../src/health-command';
import { CheckKind } from '../../src/health/health';
import { buildHealthCli, CLI_ENV as ENV, runHealthCli } from './cli';
import { freePort, stopAll, tempDir, writeYaml, type Started } from './processes';
import { GOOD_RULES, startPrometheus, startVictoriaMetrics } from './servers';

let cli: string;
let stackConfig: string;
let healthy: Started;
let degraded: Started;
let vm: Started;
let dead: number;

beforeAll(async () => {
  cli = buildHealthCli();
  stackConfig = writeYaml(tempDir('cli-config'), 'stack.yaml', { alertmanager: { enabled: false }, grafana: { enabled: false }, loki: { enabled: false }, fl: { enabled: false } });
  dead = await freePort();
  [healthy, degraded, vm] = await Promise.all([
    startPrometheus('cli-healthy', (self) => ({ prometheus: [self] }), [GOOD_RULES]),
    startPrometheus('cli-degraded', (self) => ({ mixed: [self, `127.0.0.1:${dead}`] }), [GOOD_RULES]),
    startVictoriaMetrics('cli'),
  ]);
}, 120_000);

afterAll(stopAll);

const run = (args: string[], env: Record<string, string> = {}) => runHealthCli(cli, args, { STACK_CONFIG: stackConfig, ...env });

const probes = (prometheus: string, victoria = vm.url) => ['--checks', 'probes', '--endpoint', `prometheus=${prometheus}`, '--endpoint', `victoria-metrics=${victoria}`];

test('healthy: exit 0 and the table', () => {
  const r = run(probes(healthy.url));
  expect(r.stdout).toMatch(/^STATUS +COMPONENT +CHECK +DETAIL\nok +prometheus +ready +\/-\/ready answered 200\n/);
  expect(r.stdout.trim().split('\n').pop()).toBe('health: ok (5 ok, 0 warning, 0 critical)');
  expect(r.status).toBe(0);
});

test('a scrape target down in a job that has one up: exit 2 (warnings only), the target named', () => {
  const r = run([...probes(degraded.url), '--format', 'json']);
  const report = JSON.parse(r.stdout);
  expect(report.status).toBe('warning');
  expect(report.checks.find((c: { check: string }) => c.check === 'targets').detail).toContain(`mixed 127.0.0.1:${dead}`);
  expect(r.status).toBe(2);
});

test('a component not listening: exit 1 (critical)', () => {
  const r = run([...probes(healthy.url, `http://127.0.0.1:${dead}`), '--format=json']);
  expect(JSON.parse(r.stdout)).toMatchObject({ status: 'critical', counts: { critical: 1 } });
  expect(r.status).toBe(1);
});

test('--continuous: a JSON line per round until SIGTERM, exit status of the last round', async () => {
  const child = spawn(process.execPath, [cli, ...probes(degraded.url), '--format', 'json', '--continuous', '--interval', '0.2'], { env: { ...ENV, STACK_CONFIG: stackConfig } });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (stdout.split('\n').length > 3) {
      child.kill('SIGTERM');
    }
  });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const rounds = stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(rounds.length).toBeGreaterThanOrEqual(3);
  for (const round of rounds) {
    expect(round).toMatchObject({ status: 'warning', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  }
  expect(code).toBe(2);
});

test.each([
  [['--format', 'xml'], "--format must be one of text, json, got 'xml'"],
  [['--checks', 'pods,disks'], "--checks: unknown check 'disks' (one of pods, services, probes)"],
  [['--interval', '5'], '--interval needs --continuous'],
  [['--continuous', '--interval', '0'], "--interval must be a positive number, got '0'"],
  [['--restart-warning', '1.5'], "--restart-warning must be a positive integer, got '1.5'"],
  [['--endpoint', 'prometheus'], "--endpoint must be <component>=<http(s) URL>, got 'prometheus'"],
  [['--verbose'], "unknown argument '--verbose'"],
  [['--context'], '--context needs a value'],
])('usage errors exit 3 naming the flag and value: %j', (args, message) => {
  const r = run(args);
  expect(r.stderr.split('\n')[0]).toBe(message);
  expect(r.stderr).toContain('usage: npm run health');
  expect(r.status).toBe(3);
});

test('a bad stack config, an endpoint for a disabled component, an unreachable API server, a missing kubeconfig: exit 3 with the reason', () => {
  const bad = writeYaml(tempDir('bad-config'), 'stack.yaml', { prometheus: { retention: 'forever' } });
  const config = run(['--checks', 'probes'], { STACK_CONFIG: bad });
  expect(config.stderr).toContain('prometheus.retention: must be a positive duration such as 30s, 5m, 15d (got "forever")');
  expect(config.status).toBe(3);
  const disabled = run(['--endpoint', 'loki=http://127.0.0.1:1']);
  expect([disabled.stderr.trim(), disabled.status]).toEqual(['--endpoint loki: loki is disabled by the config', 3]);
  const unreachable = writeYaml(tempDir('unreachable'), 'kubeconfig', {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'gone', cluster: { server: `https://127.0.0.1:${dead}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
    contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }],
    'current-context': 'gone',
  });
  const noServer = run(['--kubeconfig', unreachable, '--checks', 'pods']);
  expect(noServer.stderr).toMatch(new RegExp(`^cannot reach the Kubernetes API server at https://127\\.0\\.0\\.1:${dead}: .*ECONNREFUSED`));
  expect(noServer.stderr).not.toContain('not-a-real-token');
  expect(noServer.status).toBe(3);
  const noKube = run(['--kubeconfig', '/nonexistent/kubeconfig']);
  expect(noKube.stderr).toMatch(/^cannot read kubeconfig \/nonexistent\/kubeconfig: ENOENT/);
  expect(noKube.status).toBe(3);
  // The profile flag reaches the config loader like STACK_PROFILE (which conflicts with nothing here).
  const profile = run(['--profile', 'staging', '--checks', 'probes']);
  expect(profile.stderr).toContain('profile: unknown profile; expected one of minikube, production, site, central (got "staging")');
});

test('arguments: defaults, = forms, repeated --endpoint', () => {
  expect(parseHealthArgs([])).toMatchObject({ format: ReportFormat.TEXT, checks: new Set(Object.values(CheckKind)), restartWarning: 3, timeoutSeconds: 10, continuous: false, intervalSeconds: 30 });
  const args = parseHealthArgs(['--context=kind', '--checks=pods,services', '--endpoint', 'loki=http://127.0.0.1:3100', '--endpoint=grafana=http://127.0.0.1:3000', '--continuous', '--interval=5']);
  expect(args).toMatchObject({ context: 'kind', checks: new Set([CheckKind.PODS, CheckKind.SERVICES]), continuous: true, intervalSeconds: 5 });
  expect([...args.endpoints.keys()]).toEqual(['loki', 'grafana']);
  expect(() => parseHealthArgs(['--context', 'a', '--context', 'b'])).toThrow('--context is given 2 times');
});
