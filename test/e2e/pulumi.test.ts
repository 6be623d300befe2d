import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import type { StackConfig } from '../../src/config/schema';
import { resolveConfig } from '../../src/config/loader';
import { namespaceLevels } from '../../src/components/namespaces/namespaces';
import { type K8sObject, synthStack } from '../helpers';
import { tool } from '../tools';
import { Phases, storageObjects, toYamlStream } from './cluster-fixtures';
import { type ControlPlane, startControlPlane } from './control-plane';

/*
 * `pulumi up` of the Pulumi program (src/pulumi/) on a real control plane (scripts/control-plane.sh),
 * with the Pulumi CLI, its Node.js language host and the Kubernetes provider built by
 * scripts/tools-pulumi.sh: a local file backend, the passphrase secrets provider, plugins installed
 * from the local binaries only (automatic plugin acquisition off), no image builds (no Docker here:
 * `buildImages=false`, and KWOK never pulls images).
 *
 * The program runs from a temporary project directory (Pulumi.yaml, package.json, the program
 * bundled from src/pulumi/ by esbuild, a link to node_modules): the checkout stays clean.
 *
 * The cluster gets what a real one has: a default StorageClass and pre-bound PersistentVolumes for
 * the claims (no provisioner runs here). The Grafana admin password is set in the stack config
 * (`pulumi config set --secret`), so the program's random-password fallback, which needs the
 * pulumi-random provider, is not used.
 *
 * FLOBS_E2E_NODE_MODULES: the node_modules the program runs with (default: the checkout's); its
 * @pulumi/pulumi and @pulumi/kubernetes must be the versions of src/versions.json's pulumiTools.
 * FLOBS_E2E_KEEP=1 keeps the control plane's and Pulumi's state directories.
 */

const ROOT = resolve(__dirname, '../..');
const VERSIONS = JSON.parse(readFileSync(join(ROOT, 'src/versions.json'), 'utf8')).pulumiTools;
const PROFILE = 'minikube';
const STACK = 'e2e';
/** The context of the control plane's kubeconfig (scripts/control-plane.sh). */
const KUBE_CONTEXT = 'fl-observability-e2e';
/** The config change: Prometheus' retention (a flag of its container). */
const CHANGED = { prometheus: { retention: '5d' } };

function log(line: string): void {
  process.stderr.write(`e2e[pulumi] ${line}\n`);
}

/** Pulumi's type token of a Kubernetes object, e.g. kubernetes:apps/v1:Deployment, kubernetes:core/v1:Service. */
function typeToken(o: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  return `kubernetes:${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
}

/** `type::name` as the program names resources (`namespace/name`, or `name` when cluster-scoped). */
function resourceKey(o: K8sObject): string {
  const ns = o.metadata.namespace;
  return `${typeToken(o)}::${ns === undefined ? '' : `${ns}/`}${o.metadata.name}`;
}

/** The kubectl resource type of an object, e.g. `deployment.apps`, `service`. */
function kubectlType(o: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  return `${o.kind.toLowerCase()}${o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : ''}`;
}

/** `type::name` of a URN (urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>). */
function urnKey(urn: string): string {
  const parts = urn.split('::');
  const types = parts[2].split('$');
  return `${types[types.length - 1]}::${parts.slice(3).join('::')}`;
}

/** `type::name op` of each object whose synthesized JSON differs between two configs. */
function changedObjects(before: K8sObject[], after: K8sObject[]): string[] {
  const index = (objects: K8sObject[]) => new Map(objects.map((o) => [resourceKey(o), JSON.stringify(o)]));
  const a = index(before);
  const b = index(after);
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => `${k} ${!a.has(k) ? 'create' : !b.has(k) ? 'delete' : 'update'}`)
    .sort();
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Set by scripts/test-deps.sh when the Pulumi binaries cannot be built here (their git sources are missing). */
const UNAVAILABLE = process.env.FLOBS_PULUMI_UNAVAILABLE;
if (UNAVAILABLE !== undefined) {
  process.stderr.write(`e2e[pulumi] SKIPPED: ${UNAVAILABLE}\n`);
}

(UNAVAILABLE === undefined ? describe : describe.skip)(`pulumi up of the ${PROFILE} profile on a real API server`, () => {
  const keep = process.env.FLOBS_E2E_KEEP === '1';
  let cp: ControlPlane | undefined;
  let work = '';
  let project = '';
  let env: NodeJS.ProcessEnv = {};
  const baseConfig: StackConfig = resolveConfig({ profile: PROFILE });
  const changedConfig: StackConfig = resolveConfig({ profile: PROFILE, overrides: CHANGED, source: 'test' });
  const objects = synthStack(baseConfig);
  const adminSecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: baseConfig.grafana.adminSecret.name, namespace: baseConfig.namespaces.monitoring },
  } as K8sObject;
  /** Every Kubernetes object the program deploys: the synthesized ones and the Grafana admin Secret. */
  const deployed = [...objects, adminSecret];

  const phases = new Phases(log);
  const phase = <T>(name: string, fn: () => T): T => phases.run(name, fn);

  function plane(): ControlPlane {
    if (cp === undefined) throw new Error('the control plane did not start (see beforeAll)');
    return cp;
  }

  function pulumiResult(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Run {
    const r = spawnSync(join(work, 'bin', 'pulumi'), [...args, '--non-interactive'], {
      cwd: project,
      env: { ...env, ...extraEnv },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 900_000,
    });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
  }

  function pulumi(args: string[], extraEnv: NodeJS.ProcessEnv = {}): string {
    const r = pulumiResult(args, extraEnv);
    if (r.status !== 0) {
      throw new Error(`pulumi ${args.join(' ')} failed (status ${r.status}):\n${r.stdout.slice(-20000)}\n${r.stderr.slice(-20000)}`);
    }
    return r.stdout;
  }

  /** The steps of `pulumi preview --json` that change something, as `type::name op`. */
  function previewChanges(extraEnv: NodeJS.ProcessEnv = {}): string[] {
    const out = JSON.parse(pulumi(['preview', '--json'], extraEnv));
    return (out.steps ?? [])
      .filter((s: any) => s.op !== 'same')
      .map((s: any) => `${urnKey(s.urn)} ${s.op}`)
      .sort();
  }

  /** The Kubernetes resources in the stack's state, as `type::name`. */
  function stateResources(): string[] {
    const state = JSON.parse(pulumi(['stack', 'export']));
    return (state.deployment.resources ?? [])
      .map((r: any) => r.urn as string)
      .filter((urn: string) => urnKey(urn).startsWith('kubernetes:')) // not the provider (pulumi:providers:kubernetes)
      .map(urnKey)
      .sort();
  }

  function prometheusStatefulSet(): any {
    const sts = objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels?.['app.kubernetes.io/name'] === 'prometheus');
    expect(sts).toHaveLength(1);
    return JSON.parse(plane().kubectl(['-n', sts[0].metadata.namespace!, 'get', 'statefulset', sts[0].metadata.name, '-o', 'json']));
  }

  function podsOf(sts: any): any[] {
    const selector = Object.entries(sts.spec.selector.matchLabels as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
    return JSON.parse(plane().kubectl(['-n', sts.metadata.namespace, 'get', 'pods', '-l', selector, '-o', 'json'])).items;
  }

  beforeAll(() => {
    // The npm SDKs must be the versions of the binaries (the provider is chosen by the version
    // the npm package asks for).
    const nodeModules = process.env.FLOBS_E2E_NODE_MODULES ?? join(ROOT, 'node_modules');
    const npmVersion = (pkg: string) => JSON.parse(readFileSync(join(nodeModules, pkg, 'package.json'), 'utf8')).version as string;
    for (const key of ['cli', 'kubernetes'] as const) {
      const { npmPackage, version } = VERSIONS[key];
      expect([npmPackage, npmVersion(npmPackage)]).toEqual([npmPackage, version.replace(/^v/, '')]);
    }
    const bins = {
      pulumi: tool('pulumi'),
      language: tool('pulumi-language-nodejs'),
      provider: tool('pulumi-resource-kubernetes'),
    };

    cp = phase('control plane start', () => startControlPlane());
    work = mkdtempSync(join(tmpdir(), 'flobs-e2e-pulumi-'));
    project = join(work, 'project');
    phase('project (bundle the program)', () => {
      mkdirSync(join(project, 'lib/pulumi'), { recursive: true });
      copyFileSync(join(ROOT, 'Pulumi.yaml'), join(project, 'Pulumi.yaml'));
      copyFileSync(join(ROOT, 'package.json'), join(project, 'package.json'));
      symlinkSync(nodeModules, join(project, 'node_modules'), 'dir');
      buildSync({
        entryPoints: [join(ROOT, 'src/pulumi/index.ts')],
        outfile: join(project, 'lib/pulumi/index.js'),
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        packages: 'external',
        logLevel: 'warning',
      });
    });
    // Only the CLI and its language host on PATH (plus node): the provider comes from PULUMI_HOME.
    mkdirSync(join(work, 'bin'));
    symlinkSync(bins.pulumi, join(work, 'bin', 'pulumi'));
    symlinkSync(bins.language, join(work, 'bin', 'pulumi-language-nodejs'));
    writeFileSync(join(work, 'stack-config.yaml'), JSON.stringify({ profile: PROFILE, ...CHANGED }));
    mkdirSync(join(work, 'state'));
    env = {
      HOME: work,
      PATH: [join(work, 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      PULUMI_HOME: join(work, 'pulumi-home'),
      PULUMI_BACKEND_URL: `file://${join(work, 'state')}`,
      PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString('hex'),
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_SKIP_CONFIRMATIONS: 'true',
      KUBECONFIG: plane().kubeconfig,
      STACK_PROFILE: PROFILE,
      // Nothing may leave the machine: any HTTP(S) request but to the API server fails here.
      HTTP_PROXY: 'http://127.0.0.1:9',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
      TMPDIR: work,
    };
    phase('plugin install (local binary)', () => {
      pulumi(['plugin', 'install', 'resource', 'kubernetes', VERSIONS.kubernetes.version, '--file', bins.provider]);
    });
    phase('storage (StorageClass, pre-bound PVs)', () => {
      plane().kubectl(['apply', '--server-side', '-f', '-'], toYamlStream(storageObjects(objects)));
    });
    phase('stack init', () => {
      pulumi(['stack', 'init', STACK]);
      pulumi(['config', 'set', 'kubeContext', KUBE_CONTEXT]);
      pulumi(['config', 'set', 'buildImages', 'false']);
      pulumi(['config', 'set', '--secret', 'grafanaAdminPassword', randomBytes(18).toString('base64')]);
    });
  }, 600_000);

  afterAll(() => {
    if (cp !== undefined) {
      phase('control plane stop', () => plane().stop(keep));
      if (keep) log(`control plane state kept in ${plane().dir}`);
    }
    if (work !== '') {
      if (keep) log(`project, state and PULUMI_HOME kept in ${work}`);
      else rmSync(work, { recursive: true, force: true });
    }
    log(phases.summary());
  }, 120_000);

  test('the plugins are the pinned local builds', () => {
    const plugins = JSON.parse(pulumi(['plugin', 'ls', '--json'])) as { name: string; kind: string; version: string }[];
    expect(plugins.map((p) => `${p.kind} ${p.name} ${p.version}`)).toEqual([`resource kubernetes ${VERSIONS.kubernetes.version.replace(/^v/, '')}`]);
    expect(pulumi(['version']).trim()).toBe(VERSIONS.cli.version);
  });

  test('pulumi up from an empty state deploys every object', () => {
    phase('pulumi up (empty state)', () => pulumi(['up', '--yes', '--skip-preview']));
    expect(stateResources()).toEqual(deployed.map(resourceKey).sort());
    const k = plane();
    const missing = deployed.filter((o) => {
      const args = ['get', kubectlType(o), o.metadata.name, '-o', 'name'];
      return k.kubectlResult(o.metadata.namespace === undefined ? args : ['-n', o.metadata.namespace, ...args]).status !== 0;
    });
    expect(missing.map(resourceKey)).toEqual([]);
  });

  test('a second preview reports no changes', () => {
    const changes = phase('pulumi preview (unchanged)', () => previewChanges());
    expect(changes).toEqual([]);
    // And the CLI agrees (exit status 0 with --expect-no-changes).
    expect(pulumiResult(['preview', '--expect-no-changes']).status).toBe(0);
  });

  test('a config change updates only the objects it changes and rolls Prometheus', () => {
    const expected = changedObjects(objects, synthStack(changedConfig));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.some((k) => k.startsWith('kubernetes:apps/v1:StatefulSet::') && k.endsWith('/prometheus update'))).toBe(true);
    const stackConfig = { STACK_CONFIG: join(work, 'stack-config.yaml') };
    const changes = phase('pulumi preview (retention changed)', () => previewChanges(stackConfig));
    log(`changes planned: ${changes.join(', ')}`);
    expect(changes).toEqual(expected);

    const before = prometheusStatefulSet();
    const revisionBefore = before.status.updateRevision;
    expect(podsOf(before).map((p) => p.metadata.labels['controller-revision-hash'])).toEqual(podsOf(before).map(() => revisionBefore));
    phase('pulumi up (retention changed)', () => pulumi(['up', '--yes', '--skip-preview'], stackConfig));
    const after = prometheusStatefulSet();
    log(`prometheus revision ${revisionBefore} -> ${after.status.updateRevision}`);
    expect(after.status.updateRevision).not.toBe(revisionBefore);
    expect(after.status.currentRevision).toBe(after.status.updateRevision);
    const args = after.spec.template.spec.containers.flatMap((c: any) => c.args ?? []);
    expect(args).toContain(`--storage.tsdb.retention.time=${CHANGED.prometheus.retention}`);
    const pods = podsOf(after);
    expect(pods.length).toBe(after.spec.replicas);
    for (const p of pods) {
      expect([p.metadata.name, p.metadata.labels['controller-revision-hash'], p.status.phase]).toEqual([p.metadata.name, after.status.updateRevision, 'Running']);
    }
    // The new state is stable too.
    expect(phase('pulumi preview (after the change)', () => previewChanges(stackConfig))).toEqual([]);
  });

  test('pulumi destroy leaves nothing of ours behind', () => {
    expect(stateResources()).toEqual(deployed.map(resourceKey).sort()); // there is something to destroy
    phase('pulumi destroy', () => pulumi(['destroy', '--yes', '--skip-preview']));
    expect(stateResources()).toEqual([]);
    const k = plane();
    const namespaces = Object.keys(namespaceLevels(baseConfig)).sort();
    const left = JSON.parse(k.kubectl(['get', 'namespaces', '-o', 'json'])).items.map((n: any) => n.metadata.name);
    expect(namespaces.filter((n) => left.includes(n))).toEqual([]);
    // Cluster-scoped objects of ours (RBAC, ...) are gone too.
    const clusterScoped = deployed.filter((o) => o.metadata.namespace === undefined && o.kind !== 'Namespace');
    const remaining = clusterScoped.filter((o) => k.kubectlResult(['get', kubectlType(o), o.metadata.name, '-o', 'name']).status === 0);
    expect(remaining.map(resourceKey)).toEqual([]);
  });
});
