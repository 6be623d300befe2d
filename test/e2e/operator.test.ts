import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { COMPONENTS } from '../../src/component-list';
import { StackMode, type StackConfig } from '../../src/config/schema';
import { collectMonitoring } from '../../src/monitoring/collect';
import { synthesize } from '../../src/synth';
import { configOf, type K8sObject } from '../helpers';
import { tool } from '../tools';
import { Phases, readObjects, storageObjects, toYamlStream } from './cluster-fixtures';
import { type ControlPlane, startControlPlane } from './control-plane';

/*
 * Operator mode against the real prometheus-operator (built from its Go module at the release pinned
 * in scripts/tools/tools.json, whose CRDs crds/prometheus-operator/ keeps) on the e2e control plane:
 * the release's CRDs installed, the operator-mode output applied server-side (the API server
 * validates PodMonitors and PrometheusRules against the CRD schemas), then the operator reconciles a
 * Prometheus resource selecting them, as kube-prometheus-stack's does. What it renders — the
 * Prometheus configuration Secret and the rule-file ConfigMaps — is read back and checked with the
 * real promtool: `check config`, `check rules`, and the stack's own generated rule unit tests run
 * against the operator-rendered rule files. KWOK runs the Prometheus pods the operator's StatefulSet
 * asks for; nothing scrapes.
 */

const ROOT = resolve(__dirname, '../..');
const PIN = JSON.parse(readFileSync(join(ROOT, 'scripts/tools/tools.json'), 'utf8'))['prometheus-operator'] as { module: string; version: string };
/** The Prometheus resource standing in for kube-prometheus-stack's, in its namespace. */
const KPS_NAMESPACE = 'monitoring';
const PROMETHEUS_NAME = 'kube-prometheus-stack-prometheus';
const RENDER_TIMEOUT_MS = 180_000;

function log(line: string): void {
  process.stderr.write(`e2e[operator] ${line}\n`);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The directory of the pinned operator module in the Go module cache (the tools build downloaded it). */
function operatorModuleDir(): string {
  const r = spawnSync('go', ['mod', 'download', '-json', `${PIN.module}@${PIN.version}`], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (r.status !== 0) throw new Error(`go mod download ${PIN.module}@${PIN.version} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { Dir: string }).Dir;
}

function promtool(args: readonly string[], cwd: string): { status: number; out: string } {
  const r = spawnSync(tool('promtool'), args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('operator mode with the real prometheus-operator', () => {
  const config: StackConfig = configOf('minikube', { mode: StackMode.OPERATOR });
  const keep = process.env.FLOBS_E2E_KEEP === '1';
  const phases = new Phases(log);
  const phase = <T>(name: string, fn: () => T): T => phases.run(name, fn);
  let cp: ControlPlane | undefined;
  let operator: ChildProcess | undefined;
  let work = '';
  let objects: K8sObject[] = [];
  let crdDir = '';
  /** What the operator rendered: prometheus.yaml and the rule files, as written to `work/rendered`. */
  let rendered: { config: any; ruleFiles: Record<string, string> } | undefined;

  function plane(): ControlPlane {
    if (cp === undefined) throw new Error('the control plane did not start (see beforeAll)');
    return cp;
  }
  const ours = (kind: string) => objects.filter((o) => o.kind === kind);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'flobs-e2e-operator-'));
    crdDir = join(operatorModuleDir(), 'example/prometheus-operator-crd');
    cp = phase('control plane start', () => startControlPlane());
    const dist = join(work, 'dist');
    phase('synthesize (mode: operator)', () => synthesize(config, dist));
    objects = readObjects(dist);
  }, 300_000);

  afterAll(() => {
    if (operator !== undefined && operator.exitCode === null) operator.kill('SIGTERM');
    if (cp !== undefined) {
      phase('control plane stop', () => plane().stop(keep));
      if (keep) log(`state and logs kept in ${plane().dir}; operator log in ${work}`);
    }
    if (work !== '' && !keep) rmSync(work, { recursive: true, force: true });
    log(phases.summary());
  }, 120_000);

  test('the kept CRDs are those of the operator release the tools build', () => {
    const kept = readdirSync(join(ROOT, 'crds/prometheus-operator')).sort();
    expect(kept).toEqual(['monitoring.coreos.com_podmonitors.yaml', 'monitoring.coreos.com_prometheusrules.yaml']);
    for (const file of kept) {
      expect([file, readFileSync(join(ROOT, 'crds/prometheus-operator', file), 'utf8') === readFileSync(join(crdDir, file), 'utf8')]).toEqual([file, true]);
    }
  });

  test('the API server accepts the operator-mode output against the release CRDs', () => {
    const k = plane();
    const crds = readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort();
    phase(`install ${crds.length} CRDs`, () => {
      for (const f of crds) k.kubectl(['apply', '--server-side', '-f', join(crdDir, f)]);
      k.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s']);
    });
    phase('storage, namespaces', () => {
      k.kubectl(['apply', '--server-side', '-f', '-'], toYamlStream(storageObjects(objects)));
      k.kubectl(['apply', '--server-side', '-f', join(work, 'dist', '00-namespaces.k8s.yaml')]);
      k.kubectl(['create', 'namespace', KPS_NAMESPACE]);
    });
    const applied = phase('kubectl apply --server-side dist/', () =>
      k.kubectlResult(['apply', '--server-side', '--field-manager', 'fl-observability-e2e', '-o', 'name', '-f', join(work, 'dist')]),
    );
    expect(applied.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
    expect(applied.status).toBe(0);
    const got = applied.stdout.trim().split('\n');
    expect(got.length).toBe(objects.length);
    expect(ours('PodMonitor').length).toBeGreaterThanOrEqual(5);
    expect(ours('PrometheusRule').length).toBeGreaterThanOrEqual(3);
    expect(objects.filter((o) => ['Prometheus', 'Alertmanager'].includes(o.kind) || ['prometheus', 'alertmanager', 'grafana'].includes(o.metadata.labels?.['app.kubernetes.io/name'] ?? ''))).toEqual([]);
    log(`applied ${got.length} objects: ${ours('PodMonitor').length} PodMonitors, ${ours('PrometheusRule').length} PrometheusRules, ${ours('ConfigMap').filter((o) => o.metadata.labels?.[config.operator.dashboards.label] !== undefined).length} dashboard ConfigMaps`);
    // A PodMonitor the CRD schema refuses is refused: the validation above was real.
    const bad = { ...ours('PodMonitor')[0], metadata: { name: 'e2e-invalid', namespace: config.namespaces.training }, spec: { selector: {}, podMetricsEndpoints: [{ portNumber: 'eight' }] } };
    const refused = k.kubectlResult(['apply', '--server-side', '--dry-run=server', '-f', '-'], JSON.stringify(bad));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('portNumber');
  });

  test('prometheus-operator renders a Prometheus that selects them; promtool accepts its config and rules', () => {
    const k = plane();
    const selector = (labels: Readonly<Record<string, string>>) => ({ matchLabels: { ...labels } });
    const prometheus = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: PROMETHEUS_NAME, namespace: KPS_NAMESPACE },
      spec: {
        replicas: 1,
        podMonitorSelector: selector(config.operator.monitorLabels),
        podMonitorNamespaceSelector: {},
        ruleSelector: selector(config.operator.ruleLabels),
        ruleNamespaceSelector: {},
        serviceMonitorSelector: selector(config.operator.monitorLabels),
        serviceMonitorNamespaceSelector: {},
      },
    };
    k.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(prometheus));
    const logFile = join(work, 'prometheus-operator.log');
    const fd = openSync(logFile, 'w');
    operator = spawn(tool('prometheus-operator'), ['--web.listen-address=127.0.0.1:0', '--log-format=logfmt', '--log-level=info'], {
      env: { ...process.env, KUBECONFIG: k.kubeconfig },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const secret = `prometheus-${PROMETHEUS_NAME}`;
    const wantJobs = ours('PodMonitor').map((m) => `podMonitor/${m.metadata.namespace}/${m.metadata.name}/0`).sort();
    rendered = phase('operator reconciles (config Secret with every PodMonitor, rule ConfigMaps)', () => {
      const deadline = Date.now() + RENDER_TIMEOUT_MS;
      let why = 'nothing rendered yet';
      while (Date.now() < deadline) {
        if (operator!.exitCode !== null) throw new Error(`prometheus-operator exited (${operator!.exitCode}):\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
        const s = k.kubectlResult(['-n', KPS_NAMESPACE, 'get', 'secret', secret, '-o', 'json']);
        const cms = JSON.parse(k.kubectl(['-n', KPS_NAMESPACE, 'get', 'configmaps', '-l', `prometheus-name=${PROMETHEUS_NAME}`, '-o', 'json'])).items as any[];
        if (s.status === 0) {
          const gz = JSON.parse(s.stdout).data?.['prometheus.yaml.gz'] as string | undefined;
          const text = gz === undefined ? '' : gunzipSync(Buffer.from(gz, 'base64')).toString('utf8');
          const cfg = parseYaml(text) as any;
          const jobs = ((cfg?.scrape_configs ?? []) as { job_name: string }[]).map((j) => j.job_name).sort();
          const ruleFiles: Record<string, string> = Object.assign({}, ...cms.map((c) => c.data ?? {}));
          if (JSON.stringify(jobs) === JSON.stringify(wantJobs) && Object.keys(ruleFiles).length === ours('PrometheusRule').length) {
            return { config: cfg, ruleFiles };
          }
          why = `jobs ${JSON.stringify(jobs)}, ${Object.keys(ruleFiles).length} rule files`;
        }
        sleep(2000);
      }
      throw new Error(`the operator did not render the config within ${RENDER_TIMEOUT_MS / 1000}s (${why}):\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
    });
    const dir = join(work, 'rendered');
    mkdirSync(join(dir, 'rules'), { recursive: true });
    for (const [name, text] of Object.entries(rendered.ruleFiles)) writeFileSync(join(dir, 'rules', name), text);
    // The operator's rule_files glob points into the pod; here it is the same files on disk.
    writeFileSync(join(dir, 'prometheus.yaml'), toYaml({ ...rendered.config, rule_files: ['rules/*.yaml'] }));
    const checkConfig = promtool(['check', 'config', 'prometheus.yaml'], dir);
    log(`promtool check config (operator-rendered, ${rendered.config.scrape_configs.length} scrape jobs): status ${checkConfig.status}`);
    expect([checkConfig.status, checkConfig.out]).toEqual([0, expect.stringContaining('SUCCESS')]);
    const checkRules = promtool(['check', 'rules', ...Object.keys(rendered.ruleFiles).map((f) => join('rules', f))], dir);
    const ruleCount = [...checkRules.out.matchAll(/SUCCESS: (\d+) rules found/g)].reduce((n, m) => n + Number(m[1]), 0);
    log(`promtool check rules: ${Object.keys(rendered.ruleFiles).length} operator-rendered files, ${ruleCount} rules, status ${checkRules.status}`);
    expect(checkRules.status).toBe(0);
    const ourRules = ours('PrometheusRule').reduce((n, r) => n + (r.spec.groups as { rules: unknown[] }[]).reduce((m, g) => m + g.rules.length, 0), 0);
    expect(ruleCount).toBe(ourRules);
  });

  test("the operator's scrape jobs select the FL pods with the stack's job labels", () => {
    if (rendered === undefined) throw new Error('nothing rendered (see the test before)');
    for (const name of ['fl-server', 'fl-client']) {
      const job = rendered.config.scrape_configs.find((j: any) => j.job_name === `podMonitor/${config.namespaces.training}/${name}/0`);
      expect(job).toBeDefined();
      expect(job.kubernetes_sd_configs[0].role).toBe('pod');
      expect(job.kubernetes_sd_configs[0].namespaces.names).toEqual([config.namespaces.training]);
      const relabel = job.relabel_configs as { source_labels?: string[]; regex?: string; action?: string; target_label?: string }[];
      // Kept: the pods whose app.kubernetes.io/name is the component's, on the annotated port.
      const keeps = relabel.filter((r) => r.action === 'keep');
      expect(keeps).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name', '__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name'], regex: `(${name});true` }),
        ]),
      );
      // job = app.kubernetes.io/name, as the standalone pod job sets it; and the stack's target labels.
      expect(relabel).toEqual(expect.arrayContaining([expect.objectContaining({ source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'job' })]));
      expect(relabel.map((r) => r.target_label)).toEqual(expect.arrayContaining(['node', 'client_index', 'namespace', 'pod']));
    }
  });

  test("the stack's generated rule unit tests pass against the operator-rendered rule files", () => {
    if (rendered === undefined) throw new Error('nothing rendered (see the test before)');
    const dir = join(work, 'rendered', 'rules');
    // PrometheusRule <namespace>/<name> → the operator's file `<namespace>-<name>-<uid>.yaml`.
    const fileOf = (ruleFile: string): string => {
      const prefix = `${config.namespaces.monitoring}-${ruleFile.replace(/\.rules\.yaml$/, '')}-`;
      const match = Object.keys(rendered!.ruleFiles).filter((f) => f.startsWith(prefix) && /^[0-9a-f-]{36}\.yaml$/.test(f.slice(prefix.length)));
      if (match.length !== 1) throw new Error(`no single operator-rendered file for ${ruleFile}: ${Object.keys(rendered!.ruleFiles).join(', ')}`);
      return match[0];
    };
    const tests = collectMonitoring(config, COMPONENTS).ruleTests();
    const names: string[] = [];
    for (const [name, text] of Object.entries(tests)) {
      const doc = parseYaml(text) as { rule_files: string[] };
      writeFileSync(join(dir, name), toYaml({ ...doc, rule_files: doc.rule_files.map(fileOf) }));
      names.push(name);
    }
    expect(names.length).toBeGreaterThan(0);
    const r = promtool(['test', 'rules', ...names], dir);
    const passed = (r.out.match(/SUCCESS/g) ?? []).length;
    log(`promtool test rules: ${names.length} generated test files against the operator-rendered rules: ${passed} passed, status ${r.status}`);
    expect([r.status, r.out]).toEqual([0, expect.not.stringContaining('FAILED')]);
    expect(passed).toBe(names.length);
  });
});
