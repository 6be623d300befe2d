import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LocalWorkspace, PulumiCommand, type EngineEvent, type Stack } from '@pulumi/pulumi/automation';
import { buildSync } from 'esbuild';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { StackConfig } from '../../src/config/schema';
import { resolveConfig } from '../../src/config/loader';
import { namespaceLevels } from '../../src/components/namespaces/namespaces';
import { flObservabilityProgram } from '../../src/pulumi/program';
import { type K8sObject, synthStack } from '../helpers';
import { tool } from '../tools';
import { Phases, storageObjects, toYamlStream } from './cluster-fixtures';
import { type ControlPlane, startControlPlane } from './control-plane';

/*
 * The Pulumi program (src/pulumi/) deployed for real on a local control plane (scripts/control-plane.sh)
 * with the Pulumi CLI and the Kubernetes provider built by scripts/tools.mjs.
 *
 * The program runs in this process as an inline program of the Automation API
 * (`LocalWorkspace.createOrSelectStack({ stackName, projectName, program })`): the CLI talks to it over
 * gRPC, no language host is involved. A local file backend, the passphrase secrets provider (passphrase
 * from the environment), the provider installed from its local binary into a temporary PULUMI_HOME
 * (automatic plugin acquisition off), no image builds (no Docker here: `buildImages=false`, and KWOK
 * never pulls images), and every HTTP(S) request the CLI or the provider makes fails unless it goes to
 * the API server on 127.0.0.1.
 *
 * The project (a Pulumi.yaml with the repository's name and config declarations) lives in a temporary
 * directory: the checkout stays clean. The cluster gets what a real one has: a default StorageClass
 * and pre-bound PersistentVolumes for the claims (no provisioner runs here). The Grafana admin
 * password is set in the stack config (as a secret), so the program's random-password fallback, which
 * needs the pulumi-random provider, is not used.
 *
 * Optional: `pulumi up` as users run it (Pulumi.yaml, the bundled program, the Node.js language host)
 * runs when FLOBS_PULUMI_LANGUAGE_HOST names a pulumi-language-nodejs binary of the pinned release
 * (scripts/test-deps.sh builds one and sets it when PULUMI_SRC_GIT names a clone of the pulumi
 * repository); otherwise that one test is skipped, with the reason on stderr.
 *
 * FLOBS_E2E_NODE_MODULES: the node_modules the bundled program runs with in the optional test
 * (default: the checkout's). @pulumi/pulumi and @pulumi/kubernetes must be the versions package.json
 * pins, which the Pulumi tools are built at. FLOBS_E2E_KEEP=1 keeps the control plane's and Pulumi's state directories.
 */

const ROOT = resolve(__dirname, '../..');
/** The Pulumi tools (scripts/tools/tools.json), each built at the version package.json pins its npm package at. */
const VERSIONS = (() => {
  const tools = JSON.parse(readFileSync(join(ROOT, 'scripts/tools/tools.json'), 'utf8'));
  const pins = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies as Record<string, string>;
  const pinOf = (tool: string) => {
    const npmPackage = tools[tool].npmPackage as string;
    return { npmPackage, version: `v${pins[npmPackage]}` };
  };
  return { cli: pinOf('pulumi'), kubernetes: pinOf('pulumi-resource-kubernetes'), languageNodejs: pinOf('pulumi-language-nodejs') };
})();
const PROFILE = 'minikube';
const STACK = 'e2e';
/** The stack of the optional run through Pulumi.yaml and the language host. */
const YAML_STACK = 'e2e-language-host';
/** The context of the control plane's kubeconfig (scripts/control-plane.sh). */
const KUBE_CONTEXT = 'fl-observability-e2e';
/** The config change: Prometheus' retention (a flag of its container). */
const CHANGED = { prometheus: { retention: '5d' } };
/** The project file of this repository (name, config declarations). */
const PROJECT = parseYaml(readFileSync(join(ROOT, 'Pulumi.yaml'), 'utf8')) as { name: string; [key: string]: unknown };

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

/** The Kubernetes resources of a stack's exported state, as `type::name` (not the provider). */
function kubernetesResources(deployment: any): string[] {
  return ((deployment.resources ?? []) as { urn: string }[])
    .map((r) => urnKey(r.urn))
    .filter((k) => k.startsWith('kubernetes:')) // not pulumi:providers:kubernetes
    .sort();
}

/** Runs `fn` with the process environment changed (the inline program reads STACK_CONFIG from it). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** A pulumi-language-nodejs binary for the optional test (scripts/test-deps.sh sets it when PULUMI_SRC_GIT is given). */
const LANGUAGE_HOST = process.env.FLOBS_PULUMI_LANGUAGE_HOST;
const LANGUAGE_HOST_SKIPPED =
  'SKIPPED (optional): `pulumi up` through Pulumi.yaml and the Node.js language host: FLOBS_PULUMI_LANGUAGE_HOST is not set. ' +
  'The language host is on no Go proxy; set PULUMI_SRC_GIT to a git clone of https://github.com/pulumi/pulumi (tag ' +
  `${VERSIONS.languageNodejs.version}) and scripts/test-deps.sh builds it and sets FLOBS_PULUMI_LANGUAGE_HOST.`;

describe(`pulumi up of the ${PROFILE} profile on a real API server`, () => {
  const keep = process.env.FLOBS_E2E_KEEP === '1';
  let cp: ControlPlane | undefined;
  let work = '';
  let env: Record<string, string> = {};
  let stack: Stack | undefined;
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
  const grafanaPassword = randomBytes(18).toString('base64');
  const savedEnv = { STACK_CONFIG: process.env.STACK_CONFIG, STACK_PROFILE: process.env.STACK_PROFILE };

  const phases = new Phases(log);
  const phase = <T>(name: string, fn: () => T): T => phases.run(name, fn);
  const phaseAsync = <T>(name: string, fn: () => Promise<T>): Promise<T> => phases.runAsync(name, fn);

  function plane(): ControlPlane {
    if (cp === undefined) throw new Error('the control plane did not start (see beforeAll)');
    return cp;
  }

  function theStack(): Stack {
    if (stack === undefined) throw new Error('the stack was not created (see beforeAll)');
    return stack;
  }

  /** The Pulumi CLI itself (plugin install, version; the optional Pulumi.yaml run), with the test's environment. */
  function pulumiResult(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Run {
    const r = spawnSync(join(work, 'bin', 'pulumi'), [...args, '--non-interactive'], {
      cwd,
      env: { ...env, ...extraEnv },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 900_000,
    });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
  }

  function pulumi(args: string[], cwd: string = work, extraEnv: Record<string, string> = {}): string {
    const r = pulumiResult(args, cwd, extraEnv);
    if (r.status !== 0) {
      throw new Error(`pulumi ${args.join(' ')} failed (status ${r.status}):\n${r.stdout.slice(-20000)}\n${r.stderr.slice(-20000)}`);
    }
    return r.stdout;
  }

  /** A preview's steps that change something, as `type::name op`, and its change summary. */
  async function previewChanges(opts: { expectNoChanges?: boolean } = {}): Promise<{ changes: string[]; summary: Record<string, number> }> {
    const changes: string[] = [];
    const result = await theStack().preview({
      ...opts,
      onEvent: (e: EngineEvent) => {
        const step = e.resourcePreEvent?.metadata;
        if (step !== undefined && step.op !== 'same') changes.push(`${urnKey(step.urn)} ${step.op}`);
      },
    });
    return { changes: changes.sort(), summary: { ...result.changeSummary } as Record<string, number> };
  }

  /** The Kubernetes resources in the stack's state, as `type::name`. */
  async function stateResources(): Promise<string[]> {
    return kubernetesResources((await theStack().exportStack()).deployment);
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

  /** None of our namespaces and none of our cluster-scoped objects (RBAC, ...) are left in the cluster. */
  function expectNothingLeft(): void {
    const k = plane();
    const namespaces = Object.keys(namespaceLevels(baseConfig)).sort();
    const left = JSON.parse(k.kubectl(['get', 'namespaces', '-o', 'json'])).items.map((n: any) => n.metadata.name);
    expect(namespaces.filter((n) => left.includes(n))).toEqual([]);
    const clusterScoped = deployed.filter((o) => o.metadata.namespace === undefined && o.kind !== 'Namespace');
    const remaining = clusterScoped.filter((o) => k.kubectlResult(['get', kubectlType(o), o.metadata.name, '-o', 'name']).status === 0);
    expect(remaining.map(resourceKey)).toEqual([]);
  }

  /** Every deployed object that the API server does not have. */
  function missingFromCluster(): string[] {
    const k = plane();
    return deployed
      .filter((o) => {
        const args = ['get', kubectlType(o), o.metadata.name, '-o', 'name'];
        return k.kubectlResult(o.metadata.namespace === undefined ? args : ['-n', o.metadata.namespace, ...args]).status !== 0;
      })
      .map(resourceKey);
  }

  /** A default StorageClass and a PersistentVolume pre-bound to each claim (fresh ones: a released PV keeps its old claim's uid). */
  function provideStorage(): void {
    const storage = storageObjects(objects) as K8sObject[];
    const pvs = storage.filter((o) => o.kind === 'PersistentVolume').map((o) => o.metadata.name);
    plane().kubectl(['delete', 'persistentvolume', '--ignore-not-found', '--wait=false', ...pvs]);
    plane().kubectl(['apply', '--server-side', '-f', '-'], toYamlStream(storage));
  }

  beforeAll(async () => {
    // The npm SDKs must be the versions of the binaries (the provider is chosen by the version
    // the npm package asks for).
    const nodeModules = process.env.FLOBS_E2E_NODE_MODULES ?? join(ROOT, 'node_modules');
    const npmVersion = (pkg: string) => JSON.parse(readFileSync(join(nodeModules, pkg, 'package.json'), 'utf8')).version as string;
    for (const key of ['cli', 'kubernetes'] as const) {
      const { npmPackage, version } = VERSIONS[key];
      expect([npmPackage, npmVersion(npmPackage)]).toEqual([npmPackage, version.replace(/^v/, '')]);
      // The program of this process loads the same packages.
      expect([npmPackage, require(`${npmPackage}/package.json`).version]).toEqual([npmPackage, version.replace(/^v/, '')]);
    }
    const bins = { pulumi: tool('pulumi'), provider: tool('pulumi-resource-kubernetes') };

    cp = phase('control plane start', () => startControlPlane());
    work = mkdtempSync(join(tmpdir(), 'flobs-e2e-pulumi-'));
    // Only the CLI in its bin directory (the Automation API puts that first on PATH): the provider
    // comes from PULUMI_HOME, and no language host is there.
    mkdirSync(join(work, 'bin'));
    symlinkSync(bins.pulumi, join(work, 'bin', 'pulumi'));
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
      http_proxy: 'http://127.0.0.1:9',
      https_proxy: 'http://127.0.0.1:9',
      no_proxy: '127.0.0.1,localhost',
      TMPDIR: work,
    };
    phase('plugin install (local binary)', () => {
      pulumi(['plugin', 'install', 'resource', 'kubernetes', VERSIONS.kubernetes.version, '--file', bins.provider]);
    });
    phase('storage (StorageClass, pre-bound PVs)', () => provideStorage());
    // The project: this repository's Pulumi.yaml without `main` (the program is inline).
    const project = join(work, 'project');
    mkdirSync(project);
    const { main: _main, ...inlineProject } = PROJECT;
    writeFileSync(join(project, 'Pulumi.yaml'), toYaml(inlineProject));
    await phaseAsync('stack init (Automation API)', async () => {
      const pulumiCommand = await PulumiCommand.get({ root: work });
      stack = await LocalWorkspace.createOrSelectStack(
        { stackName: STACK, projectName: PROJECT.name, program: async () => flObservabilityProgram() },
        { workDir: project, pulumiHome: env.PULUMI_HOME, pulumiCommand, envVars: env },
      );
      await stack.setAllConfig({
        kubeContext: { value: KUBE_CONTEXT },
        buildImages: { value: 'false' },
        grafanaAdminPassword: { value: grafanaPassword, secret: true },
      });
    });
    // The inline program runs in this process: the stack config it synthesizes comes from here.
    process.env.STACK_PROFILE = PROFILE;
    delete process.env.STACK_CONFIG;
  }, 600_000);

  afterAll(() => {
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    if (cp !== undefined) {
      phase('control plane stop', () => plane().stop(keep));
      if (keep) log(`control plane state kept in ${plane().dir}`);
    }
    if (work !== '') {
      if (keep) log(`projects, state and PULUMI_HOME kept in ${work}`);
      else rmSync(work, { recursive: true, force: true });
    }
    log(phases.summary());
  }, 120_000);

  test('the plugins are the pinned local builds', async () => {
    const plugins = await theStack().workspace.listPlugins();
    expect(plugins.map((p) => `${p.kind} ${p.name} ${p.version}`)).toEqual([`resource kubernetes ${VERSIONS.kubernetes.version.replace(/^v/, '')}`]);
    expect(pulumi(['version']).trim()).toBe(VERSIONS.cli.version);
    expect(theStack().workspace.pulumiVersion).toBe(VERSIONS.cli.version.replace(/^v/, ''));
  });

  test('pulumi up from an empty state deploys every object', async () => {
    expect(await stateResources()).toEqual([]);
    const result = await phaseAsync('pulumi up (empty state)', () => theStack().up());
    expect(result.summary.result).toBe('succeeded');
    expect(await stateResources()).toEqual(deployed.map(resourceKey).sort());
    expect(missingFromCluster()).toEqual([]);
    // The outputs: the context the provider is pinned to; the password only as a secret.
    expect(result.outputs.kubeContext).toEqual({ value: KUBE_CONTEXT, secret: false });
    expect(result.outputs.grafanaAdminPassword.secret).toBe(true);
    const inCluster = plane().kubectl([
      '-n',
      baseConfig.namespaces.monitoring,
      'get',
      'secret',
      baseConfig.grafana.adminSecret.name,
      '-o',
      `jsonpath={.data.${baseConfig.grafana.adminSecret.passwordKey.replace(/\./g, '\\.')}}`,
    ]);
    expect(Buffer.from(inCluster, 'base64').toString('utf8')).toBe(grafanaPassword);
  });

  test('a second preview reports no changes', async () => {
    const { changes, summary } = await phaseAsync('pulumi preview (unchanged)', () => previewChanges());
    expect(changes).toEqual([]);
    expect(Object.keys(summary)).toEqual(['same']);
    // And the CLI agrees: the preview succeeds with --expect-no-changes.
    await expect(theStack().preview({ expectNoChanges: true })).resolves.toBeDefined();
  });

  test('a config change updates only the objects it changes and rolls Prometheus', async () => {
    const expected = changedObjects(objects, synthStack(changedConfig));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.some((k) => k.startsWith('kubernetes:apps/v1:StatefulSet::') && k.endsWith('/prometheus update'))).toBe(true);
    const stackConfig = { STACK_CONFIG: join(work, 'stack-config.yaml') };
    const { changes } = await withEnv(stackConfig, () => phaseAsync('pulumi preview (retention changed)', () => previewChanges()));
    log(`changes planned: ${changes.join(', ')}`);
    expect(changes).toEqual(expected);

    const before = prometheusStatefulSet();
    const revisionBefore = before.status.updateRevision;
    expect(podsOf(before).map((p) => p.metadata.labels['controller-revision-hash'])).toEqual(podsOf(before).map(() => revisionBefore));
    const result = await withEnv(stackConfig, () => phaseAsync('pulumi up (retention changed)', () => theStack().up()));
    expect(result.summary.result).toBe('succeeded');
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
    const { changes: afterwards } = await withEnv(stackConfig, () => phaseAsync('pulumi preview (after the change)', () => previewChanges()));
    expect(afterwards).toEqual([]);
  });

  test('pulumi destroy leaves nothing of ours behind', async () => {
    expect(await stateResources()).toEqual(deployed.map(resourceKey).sort()); // there is something to destroy
    const result = await phaseAsync('pulumi destroy', () => theStack().destroy());
    expect(result.summary.result).toBe('succeeded');
    expect(await stateResources()).toEqual([]);
    expectNothingLeft();
  });

  if (LANGUAGE_HOST === undefined) {
    log(LANGUAGE_HOST_SKIPPED);
  }
  (LANGUAGE_HOST === undefined ? test.skip : test)('optional: pulumi up and destroy through Pulumi.yaml and the Node.js language host', () => {
    const host = LANGUAGE_HOST!;
    if (!existsSync(host)) throw new Error(`FLOBS_PULUMI_LANGUAGE_HOST=${host}: no such file (build it: node scripts/tools.mjs pulumi-language-nodejs PULUMI_SRC_GIT=<clone>)`);
    expect(spawnSync(host, ['-version'], { encoding: 'utf8' }).stdout.trim()).toBe(VERSIONS.languageNodejs.version);
    // The CLI finds the language host next to itself.
    symlinkSync(host, join(work, 'bin', 'pulumi-language-nodejs'));
    // The project as users have it: Pulumi.yaml, package.json, the program bundled from src/pulumi/.
    const project = join(work, 'project-yaml');
    const nodeModules = process.env.FLOBS_E2E_NODE_MODULES ?? join(ROOT, 'node_modules');
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
    phase('storage again (fresh PVs)', () => provideStorage());
    phase('stack init (CLI)', () => {
      pulumi(['stack', 'init', YAML_STACK], project);
      pulumi(['config', 'set', 'kubeContext', KUBE_CONTEXT], project);
      pulumi(['config', 'set', 'buildImages', 'false'], project);
      pulumi(['config', 'set', '--secret', 'grafanaAdminPassword', grafanaPassword], project);
    });
    const state = () => kubernetesResources(JSON.parse(pulumi(['stack', 'export'], project)).deployment);
    phase('pulumi up (Pulumi.yaml, language host)', () => pulumi(['up', '--yes', '--skip-preview'], project));
    expect(state()).toEqual(deployed.map(resourceKey).sort());
    expect(missingFromCluster()).toEqual([]);
    expect(pulumiResult(['preview', '--expect-no-changes'], project).status).toBe(0);
    phase('pulumi destroy (Pulumi.yaml, language host)', () => pulumi(['destroy', '--yes', '--skip-preview'], project));
    expect(state()).toEqual([]);
    expectNothingLeft();
  });
});
