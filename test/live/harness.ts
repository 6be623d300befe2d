/**
 * A live local stack: the generated Prometheus, Alertmanager, VictoriaMetrics and log agent and the
 * reference FL workload (server + clients), started as processes on 127.0.0.1 with the configs,
 * flags, rules and environment the synthesized manifests give them, one process per replica. Only
 * discovery, Service and pod DNS addresses, container paths and listen ports differ
 * (test/local/). Loki is not run (its
 * module is AGPL, issue 14): VictoriaLogs receives what the agents send to Loki's Service, at the
 * same protocol's endpoint (an explicit substitution of the transform).
 *
 * ```ts
 * const stack = await startLiveStack({ config, secrets: { 'alertmanager-receivers': { url: hook } } });
 * try {
 *   await fetch(`${stack.urls.prometheus}/api/v1/targets`);
 * } finally {
 *   await stack.stop();
 * }
 * ```
 */
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { ComponentName, Ports } from '../../src/common/names';
import { LocalRunKind, LocalStartPhase } from '../../src/components/component-spec';
import { allWorkloads, stackTopology } from '../../src/component-list';
import type { StackConfig } from '../../src/config/schema';
import { loadConfig } from '../../src/config/loader';
import { isWorkload, type ManifestContainer, type ManifestObject } from '../../src/common/manifest';
import type { LocalCluster, LocalPod, LocalService } from '../local/cluster';
import { containerEnv, containerOf, localPods, localService, mountsOf } from '../local/pods';
import { localAlertmanagerConfig, localOtelCollectorConfig, localPrometheusConfig, type OtelCollectorConfigInput, type PrometheusConfigInput } from '../local/programs';
import { expandEnvReferences, localAddress, localArgs, relocate, serviceAddresses, type PathMount, type UrlSubstitution } from '../local/relocate';
import { Scheme } from '../../src/common/topology';
import { WEB_CONFIG_FILE } from '../../src/common/web-tls';
import { synthStack } from '../helpers';
import { tool, venvProgram } from '../tools';
import { exposedSockets, ManagedProcess, type ExposedSocket, type ProcessSpec } from './processes';
import { startVictoriaLogs, victoriaLogsEndpoints, victoriaLogsReady, type LogSink } from './victoria-logs';

const REPO = resolve(__dirname, '../..');
/** The FL workload's virtualenv and app (workloads/fl/setup.sh creates the venv). */
export const FL_PYTHON = join(REPO, 'workloads/fl/.venv/bin/python');
const FL_APP = join(REPO, 'workloads/fl/app');
/** The stack config the live test uses by default (the minikube profile plus what a local run needs). */
export const LIVE_STACK_CONFIG = join(__dirname, 'live-stack.yaml');
/** The single local node every pod is "scheduled" on. */
export const LOCAL_NODE = 'local-node';
const LOOPBACK = '127.0.0.1';

/** Components the harness can run locally; the others have no binary here. */
export type LiveComponent =
  | ComponentName.PROMETHEUS
  | ComponentName.ALERTMANAGER
  | ComponentName.VICTORIA_METRICS
  | ComponentName.OTEL_COLLECTOR
  | ComponentName.MLFLOW
  | ComponentName.FL_SERVER
  | ComponentName.FL_CLIENT;

/** Options of {@link startLiveStack}. */
export interface LiveStackOptions {
  /** The stack config whose generated output runs. @default - loadConfig with STACK_CONFIG=test/live/live-stack.yaml */
  readonly config?: StackConfig;
  /**
   * Secret contents by Secret name and key, written where the containers mount those Secrets
   * (e.g. Alertmanager's receiver URLs). @default {}
   */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Components not to start even if the config enables them. @default [] */
  readonly skip?: readonly LiveComponent[];
  /** Deadline for every process to pass its readiness probe, in ms. @default 180000 */
  readonly readyTimeoutMs?: number;
  /** Keep the temporary directory after stop() (also FLOBS_LIVE_KEEP=1). @default false */
  readonly keepDir?: boolean;
  /** Progress messages. @default - silent */
  readonly log?: (message: string) => void;
  /**
   * Pods the caller serves itself (synthetic scrape targets on loopback ports it listens on): added
   * to the local cluster, so discovery finds them as it finds the stack's pods. @default []
   */
  readonly extraPods?: readonly LocalPod[];
  /** Services of other workloads (e.g. an annotated one in an onboarded namespace), added to the local cluster. @default [] */
  readonly extraServices?: readonly LocalService[];
  /**
   * More in-cluster or external URLs served by local stand-ins (e.g. a central remote_write store),
   * after the harness's own (Loki → VictoriaLogs). @default []
   */
  readonly substitutions?: readonly UrlSubstitution[];
}

/** Options of {@link LiveStack.restart}. */
export interface RestartOptions {
  /** Deadline for the restarted process to pass its readiness probe, in ms. @default 120000 */
  readonly readyTimeoutMs?: number;
}

/** A process of the local stack: one container of one local pod. */
export interface LiveProcess {
  readonly component: LiveComponent;
  readonly pod: LocalPod;
  readonly container: string;
  /** The process (its whole tree is stopped together). */
  readonly process: ManagedProcess;
  /** The container's local mounts (container path → local path). */
  readonly mounts: readonly PathMount[];
}

/** Loopback base URLs of the running stack (no trailing slash). */
export interface LiveUrls {
  readonly prometheus?: string;
  readonly alertmanager?: string;
  readonly victoriaMetrics?: string;
  /** The OpenTelemetry Collector's own metrics port. */
  readonly otelCollector?: string;
  /** VictoriaLogs, the log sink standing in for Loki. */
  readonly victoriaLogs?: string;
  /** MLflow's port: REST API, UI, artifact proxy, /metrics. */
  readonly mlflow?: string;
  /** The FL server's metrics/health port. */
  readonly flServer?: string;
  /** Each FL client's metrics/health port, by pod index. */
  readonly flClients: readonly string[];
}

/** The running stack. */
export interface LiveStack {
  readonly config: StackConfig;
  /** The temporary directory holding every config, data directory and CRI log. */
  readonly root: string;
  /** The local stand-in of the cluster: pods (with their local ports) and Services. */
  readonly cluster: LocalCluster;
  readonly urls: LiveUrls;
  readonly processes: readonly LiveProcess[];
  /** Enabled components that do not run locally, with the reason. */
  readonly absent: readonly { readonly component: ComponentName; readonly reason: string }[];
  /** The synthesized objects the stack was started from. */
  readonly objects: readonly ManifestObject[];
  /** The configs as written for the local processes, by file name (prometheus.yml, …), parsed. */
  readonly localConfigs: Readonly<Record<string, unknown>>;
  /** The local process of a pod (`fl-client-1`, `prometheus-0`, …). */
  process(pod: string): LiveProcess;
  /** The loopback base URL of one pod's container port (e.g. `podUrl('prometheus-1', Ports.prometheus)`). */
  podUrl(pod: string, containerPort: number): string;
  /**
   * Starts a pod's container again after its process ended (stopped or killed), as the kubelet
   * restarts a container: same command, environment, ports and mounts (its volumes keep their data),
   * output into the next CRI log file (`<restart count>.log`). Resolves once the readiness probe
   * passes. Throws when the process still runs.
   */
  restart(pod: string, options?: RestartOptions): Promise<LiveProcess>;
  /** The directory CRI log files are written to (the node's /var/log/pods). */
  readonly podLogDir: string;
  /** VictoriaLogs, receiving what the stack sends to Loki's Service (undefined when Loki is disabled). */
  readonly logSink?: LogSink;
  /** The in-cluster URLs served by a local stand-in, as given to the transform. */
  readonly substitutions: readonly UrlSubstitution[];
  /**
   * TCP sockets of the stack's processes (whole trees) that listen on or connect to anything but
   * loopback: empty when the stack keeps to 127.0.0.1.
   */
  exposedSockets(): (ExposedSocket & { readonly process: string })[];
  /** Stops every process (whole trees; SIGTERM then SIGKILL) and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

/** How each locally runnable component is started from its manifest. */
interface Runner {
  readonly component: LiveComponent;
  readonly container: string;
  /** The ConfigMap key holding the config file the transform rewrites. */
  readonly configKey?: string;
  /** Command and arguments from the container's (already localized) args. */
  command(args: readonly string[]): { command: string; args: string[] };
  /** Flags whose value is a listen address, and the container port they listen on. */
  readonly listenFlags?: Readonly<Record<string, number>>;
  /** Flags whose value is a bind address only. */
  readonly bindFlags?: readonly string[];
  /** Flags whose value is a port only, and the container port they stand for. */
  readonly portFlags?: Readonly<Record<string, number>>;
  /** The container's `command` the local program stands for (checked against the manifest). */
  readonly containerCommand?: readonly string[];
  readonly phase: LocalStartPhase;
}

const binary =
  (name: string) =>
  (args: readonly string[]): { command: string; args: string[] } => ({ command: tool(name), args: [...args] });
const venv =
  (name: string, program: string) =>
  (args: readonly string[]): { command: string; args: string[] } => ({ command: venvProgram(name, program), args: [...args] });
const python =
  (module: string) =>
  (): { command: string; args: string[] } => ({ command: FL_PYTHON, args: ['-m', module] });

/** The runnable workloads of the component list, in start order: storage and routing first, then what writes to them, then the workload. */
const RUNNERS: readonly Runner[] = allWorkloads()
  .flatMap(({ workload: w }): Runner[] => {
    const run = w.local;
    if (run === undefined || run.kind === LocalRunKind.UNAVAILABLE) {
      return [];
    }
    const base = { component: w.name as LiveComponent, container: run.container, phase: run.phase };
    switch (run.kind) {
      case LocalRunKind.TOOL:
        return [{ ...base, command: binary(run.binary), configKey: run.configKey, listenFlags: run.listenFlags }];
      case LocalRunKind.VENV_PROGRAM:
        return [{ ...base, command: venv(run.venv, run.program), bindFlags: run.bindFlags, portFlags: run.portFlags, containerCommand: [run.program] }];
      default:
        return [{ ...base, command: python(run.module) }];
    }
  })
  .sort((a, b) => a.phase - b.phase);
/** Why an enabled component is not started locally, as its component spec says. */
function notRunnableReason(name: string): string {
  const run = allWorkloads().find(({ workload }) => workload.name === name)?.workload.local;
  return run?.kind === LocalRunKind.UNAVAILABLE ? run.reason : 'not runnable locally';
}
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** `count` distinct free TCP ports on 127.0.0.1 (all held open until every one is chosen). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((ok, fail) => {
          const s = createServer();
          s.once('error', fail);
          s.listen(0, LOOPBACK, () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function nameOf(o: ManifestObject): string {
  return o.metadata.labels?.['app.kubernetes.io/name'] ?? '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** How {@link httpGet} checks an HTTPS server. */
export interface HttpsCheck {
  /** The CA to verify with. @default - none: not verified (as the kubelet probes) */
  readonly ca?: string;
  /** The name the certificate must carry. @default - the URL's host */
  readonly serverName?: string;
}

/**
 * GET a loopback URL: status and body, or status 0 when nothing answers (or the TLS handshake
 * fails). An `https:` URL is fetched over TLS, verified only when `tls.ca` is given.
 */
export async function httpGet(url: string, timeoutMs = 5000, tls: HttpsCheck = {}): Promise<{ status: number; body: string }> {
  if (url.startsWith('https:')) {
    return httpsGet(url, timeoutMs, tls);
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

function httpsGet(url: string, timeoutMs: number, tls: HttpsCheck): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet) => {
    const options = tls.ca === undefined ? { rejectUnauthorized: false } : { ca: tls.ca, ...(tls.serverName === undefined ? {} : { servername: tls.serverName }) };
    const req = httpsRequest(url, { ...options, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolveGet({ status: 0, body: '' }));
    req.end();
  });
}

/** Polls `check` every `everyMs` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, deadline: number, check: () => Promise<T | undefined>, everyMs = 500): Promise<T> {
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await sleep(everyMs);
  }
}

function readinessPath(container: ManifestContainer & { readinessProbe?: { httpGet?: { path: string; port: number; scheme?: string } } }): { path: string; port: number; scheme: 'http' | 'https' } {
  const get = container.readinessProbe?.httpGet;
  if (get === undefined) {
    throw new Error(`container ${container.name} has no HTTP readiness probe to wait on`);
  }
  return { path: get.path, port: get.port, scheme: get.scheme === 'HTTPS' ? 'https' : 'http' };
}

function localPortOf(pod: LocalPod, containerPort: number): number {
  const found = pod.containers.flatMap((c) => c.ports).find((p) => p.containerPort === containerPort);
  if (found === undefined) {
    throw new Error(`pod ${pod.name} has no container port ${containerPort}`);
  }
  return found.port;
}

/** Tail of a process's output, for error messages. */
function tail(p: ManagedProcess, lines = 25): string {
  return p.output().slice(-lines).join('\n');
}

/**
 * Starts the live local stack for a config and waits until every process passes the readiness
 * probe of its manifest. On any failure everything started so far is stopped before the error is
 * thrown. Call {@link LiveStack.stop} in a `finally`/`afterAll`.
 */
export async function startLiveStack(options: LiveStackOptions = {}): Promise<LiveStack> {
  const log = options.log ?? (() => undefined);
  const config = options.config ?? loadConfig({ STACK_CONFIG: LIVE_STACK_CONFIG });
  const objects = synthStack(config) as ManifestObject[];
  const skip = new Set<ComponentName>(options.skip ?? []);
  const root = mkdtempSync(join(tmpdir(), 'flobs-live-'));
  const podLogDir = join(root, 'node/var/log/pods');
  mkdirSync(podLogDir, { recursive: true });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);

  const workloads = objects.filter(isWorkload);
  const runners = RUNNERS.filter((r) => !skip.has(r.component) && workloads.some((w) => nameOf(w) === r.component));
  const absent = workloads
    .map(nameOf)
    .filter((name) => !RUNNERS.some((r) => r.component === name))
    .map((component) => ({ component: component as ComponentName, reason: notRunnableReason(component) }))
    .concat([...skip].filter((c) => workloads.some((w) => nameOf(w) === c)).map((component) => ({ component, reason: 'skipped by options.skip' })));

  // Ports: one per container port of every local pod, plus a SuperNode runtime port per client.
  const portRequests: string[] = [];
  const planned = runners.flatMap((r) => {
    const workload = workloads.find((w) => nameOf(w) === r.component)!;
    return localPods(workload, {
      nodeName: LOCAL_NODE,
      ip: LOOPBACK,
      portFor: (pod, container, port) => {
        portRequests.push(`${pod}/${container}/${port}`);
        return -portRequests.length; // placeholder, replaced below
      },
    }).map((pod) => ({ runner: r, workload, pod }));
  });
  const ports = await freePorts(portRequests.length + planned.length + 1);
  const sinkPort = ports[ports.length - 1];
  const placed = planned.map(({ runner, workload }, i) => {
    const pods = localPods(workload, { nodeName: LOCAL_NODE, ip: LOOPBACK, portFor: (pod, container, port) => ports[portRequests.indexOf(`${pod}/${container}/${port}`)] });
    const pod = pods.find((p) => p.name === planned[i].pod.name)!;
    return { runner, workload, pod, sparePort: ports[portRequests.length + i] };
  });
  const cluster: LocalCluster = {
    pods: [...placed.map((p) => p.pod), ...(options.extraPods ?? [])],
    services: [...objects.filter((o) => o.kind === 'Service').map(localService), ...(options.extraServices ?? [])],
    nodes: [],
  };
  const addresses = serviceAddresses(cluster);
  // Loki does not run here: VictoriaLogs takes what is sent to Loki's Service, per protocol.
  const sinkEndpoints = config.loki.enabled ? victoriaLogsEndpoints(sinkPort) : undefined;
  let logSink: LogSink | undefined;
  const loki = stackTopology(config).url(ComponentName.LOKI);
  const substitutions: UrlSubstitution[] = [
    ...(sinkEndpoints === undefined
      ? []
      : [{ from: `${loki}/otlp`, to: sinkEndpoints.otlpPrefix, why: 'Loki is not run here (AGPL); VictoriaLogs accepts OTLP/HTTP logs' }]),
    ...(options.substitutions ?? []),
  ];
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.data ?? {}]));

  const processes: LiveProcess[] = [];
  /** How each pod's process was started, and how often it was restarted (for {@link LiveStack.restart}). */
  const started = new Map<string, { spec: ProcessSpec; restarts: number }>();
  const localConfigs: Record<string, unknown> = {};
  let stopped = false;
  const exitHook = (): void => {
    processes.forEach((p) => p.process.killNow());
    logSink?.process.killNow();
  };
  process.once('exit', exitHook);

  const stop = async (): Promise<void> => {
    if (stopped) {
      return;
    }
    stopped = true;
    // The workload first (its clients, then the server), then the stack in reverse start order.
    for (const p of [...processes].reverse()) {
      await p.process.stop();
    }
    await logSink?.process.stop();
    process.removeListener('exit', exitHook);
    if (!(options.keepDir ?? process.env.FLOBS_LIVE_KEEP === '1')) {
      rmSync(root, { recursive: true, force: true });
    } else {
      log(`kept ${root}`);
    }
  };

  const startOne = ({ runner, workload, pod, sparePort }: (typeof placed)[number]): void => {
    const container = containerOf(workload, runner.container);
    const podRoot = join(root, 'pods', `${pod.namespace}_${pod.name}`);
    const mounts: PathMount[] = [];
    for (const m of mountsOf(workload, container)) {
      const local =
        m.source.kind === 'hostPath'
          ? join(root, 'node', m.source.path)
          : m.source.kind === 'secret'
            ? join(podRoot, 'secrets', m.source.name)
            : join(podRoot, 'volumes', m.path.replace(/^\//, '').replace(/\//g, '_'));
      mkdirSync(local, { recursive: true });
      mounts.push({ path: m.path, localPath: local });
    }
    if (workload.spec.template.spec.automountServiceAccountToken === true) {
      // The projected service-account volume: no API server here, so a placeholder token and the
      // system's CA bundle (Prometheus reads ca.crt when it creates the kubelet scrape pools).
      const sa = join(podRoot, 'serviceaccount');
      mkdirSync(sa, { recursive: true });
      writeFileSync(join(sa, 'token'), 'no-api-server-locally\n');
      writeFileSync(join(sa, 'namespace'), pod.namespace);
      if (existsSync(SYSTEM_CA_BUNDLE)) {
        copyFileSync(SYSTEM_CA_BUNDLE, join(sa, 'ca.crt'));
      }
      mounts.push({ path: SERVICE_ACCOUNT_DIR, localPath: sa });
    }
    const env = containerEnv(container, pod);
    const transform = { cluster, mounts, variables: env, substitutions };
    // Mounted ConfigMaps and Secrets, as the kubelet would project them.
    for (const m of mountsOf(workload, container)) {
      const local = mounts.find((x) => x.path === m.path)!.localPath;
      if (m.source.kind === 'configMap') {
        const data = configMaps.get(`${pod.namespace}/${m.source.name}`);
        if (data === undefined) {
          throw new Error(`${pod.name}: ConfigMap ${m.source.name} is not in the synthesized objects`);
        }
        for (const [key, text] of Object.entries(data)) {
          // The web config's certificate paths move like any config's container paths.
          const rewritten =
            key === runner.configKey
              ? localConfigText(runner, key, text, transform, pod)
              : key === WEB_CONFIG_FILE
                ? stringify(relocate(parse(text), transform, `${pod.name} ${key}`))
                : text;
          if (key === runner.configKey) {
            localConfigs[key] = parse(rewritten);
          }
          writeFileSync(join(local, key), rewritten);
        }
      } else if (m.source.kind === 'secret') {
        const data = options.secrets?.[m.source.name];
        if (data === undefined) {
          throw new Error(`${pod.name} mounts Secret ${m.source.name}: pass its keys in options.secrets['${m.source.name}']`);
        }
        for (const [key, value] of Object.entries(data)) {
          writeFileSync(join(local, key), value);
        }
      }
    }
    if (runner.containerCommand !== undefined && JSON.stringify(container.command ?? []) !== JSON.stringify(runner.containerCommand)) {
      throw new Error(`${pod.name}: the container runs ${JSON.stringify(container.command)}, the local run ${JSON.stringify(runner.containerCommand)}`);
    }
    const listen = {
      ...Object.fromEntries(Object.entries(runner.listenFlags ?? {}).map(([flag, port]) => [flag, `${LOOPBACK}:${localPortOf(pod, port)}`])),
      ...Object.fromEntries((runner.bindFlags ?? []).map((flag) => [flag, LOOPBACK])),
      ...Object.fromEntries(Object.entries(runner.portFlags ?? {}).map(([flag, port]) => [flag, String(localPortOf(pod, port))])),
    };
    const args = localArgs(expandEnvReferences(container.args ?? [], env), transform, listen, `${pod.name} args`);
    const { command, args: argv } = runner.command(args);
    const criLog = join(podLogDir, `${pod.namespace}_${pod.name}_${pod.uid}`, runner.container, '0.log');
    mkdirSync(join(podRoot, 'home'), { recursive: true });
    const procEnv = runner.phase === LocalStartPhase.WORKLOAD
      ? flEnv(runner.component, env, pod, addresses, sparePort, mounts)
      : { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(podRoot, 'home'), ...env };
    log(`starting ${pod.name}: ${command} ${argv.join(' ')}`);
    const spec: ProcessSpec = { name: pod.name, command, args: argv, env: procEnv, cwd: podRoot, criLog };
    started.set(pod.name, { spec, restarts: 0 });
    const proc = new ManagedProcess(spec);
    processes.push({ component: runner.component, pod, container: runner.container, process: proc, mounts });
  };
  const waitSinkReady = (sink: LogSink): Promise<unknown> =>
    waitFor(`victoria-logs ready at ${sink.url}/health`, deadline, async () => {
      if (!sink.process.isRunning()) {
        throw new Error(`victoria-logs exited ${JSON.stringify(sink.process.exitStatus)}:\n${tail(sink.process)}`);
      }
      return (await victoriaLogsReady(sink)) ? true : undefined;
    });
  // Readiness: the manifest's own probe, on the mapped port.
  const waitReady = (list: readonly LiveProcess[], until = deadline): Promise<unknown> =>
    Promise.all(
      list.map(async (p) => {
        const probe = readinessPath(containerOf(workloads.find((w) => nameOf(w) === p.component)!, p.container));
        // As the kubelet: an HTTPS probe connects with TLS without verifying the certificate.
        const url = `${probe.scheme}://${LOOPBACK}:${localPortOf(p.pod, probe.port)}${probe.path}`;
        await waitFor(`${p.pod.name} ready at ${url}`, until, async () => {
          if (!p.process.isRunning()) {
            throw new Error(`${p.pod.name} exited ${JSON.stringify(p.process.exitStatus)}:\n${tail(p.process)}`);
          }
          return (await httpGet(url, 2000)).status === 200 ? true : undefined;
        });
        log(`${p.pod.name} ready`);
      }),
    );

  try {
    // The log sink standing in for Loki, then the stack, then the workload (so the stack sees it
    // from its first line and sample).
    if (sinkEndpoints !== undefined) {
      logSink = startVictoriaLogs({ port: sinkPort, dir: join(root, 'victoria-logs'), retention: config.loki.retention });
    }
    placed.filter((p) => p.runner.phase !== LocalStartPhase.WORKLOAD).forEach(startOne);
    await Promise.all([
      waitReady(processes),
      logSink === undefined ? undefined : waitSinkReady(logSink),
    ]);
    if (logSink !== undefined) {
      log('victoria-logs ready');
    }
    const stackCount = processes.length;
    placed.filter((p) => p.runner.phase === LocalStartPhase.WORKLOAD).forEach(startOne);
    await waitReady(processes.slice(stackCount));
  } catch (err) {
    const detail = [...processes.map((p) => ({ name: p.pod.name, process: p.process })), ...(logSink === undefined ? [] : [{ name: 'victoria-logs', process: logSink.process }])]
      .map((p) => `--- ${p.name} (last lines) ---\n${tail(p.process, 10)}`)
      .join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${detail}`);
  }

  const urlOf = (component: LiveComponent, containerPort: number): string | undefined => {
    const p = processes.find((x) => x.component === component);
    if (p === undefined) return undefined;
    // A port served with the web certificate (`webTls`) answers HTTPS only: its probe says so.
    const probe = readinessPath(containerOf(workloads.find((w) => nameOf(w) === p.component)!, p.container));
    const scheme = probe.port === containerPort ? probe.scheme : Scheme.HTTP;
    return `${scheme}://${LOOPBACK}:${localPortOf(p.pod, containerPort)}`;
  };
  const clients = processes.filter((p) => p.component === ComponentName.FL_CLIENT);
  const processOf = (podName: string): LiveProcess => {
    const found = processes.find((p) => p.pod.name === podName);
    if (found === undefined) {
      throw new Error(`no local process for pod ${podName} (have: ${processes.map((p) => p.pod.name).join(', ')})`);
    }
    return found;
  };
  return {
    config,
    root,
    cluster,
    objects,
    localConfigs,
    podLogDir,
    logSink,
    substitutions,
    absent,
    processes,
    urls: {
      prometheus: urlOf(ComponentName.PROMETHEUS, Ports.prometheus),
      alertmanager: urlOf(ComponentName.ALERTMANAGER, Ports.alertmanager),
      victoriaMetrics: urlOf(ComponentName.VICTORIA_METRICS, Ports.victoriaMetrics),
      otelCollector: urlOf(ComponentName.OTEL_COLLECTOR, Ports.otelCollectorMetrics),
      victoriaLogs: logSink?.url,
      mlflow: urlOf(ComponentName.MLFLOW, Ports.mlflow),
      flServer: urlOf(ComponentName.FL_SERVER, Ports.flMetrics),
      flClients: clients.map((c) => `http://${LOOPBACK}:${localPortOf(c.pod, Ports.flMetrics)}`),
    },
    exposedSockets() {
      const all = [...processes.map((p) => ({ name: p.pod.name, process: p.process })), ...(logSink === undefined ? [] : [{ name: 'victoria-logs', process: logSink.process }])];
      return all.flatMap((p) => exposedSockets(p.process.knownPids().map((k) => k.pid)).map((s) => ({ ...s, process: p.name })));
    },
    process: processOf,
    async restart(podName: string, restartOptions: RestartOptions = {}): Promise<LiveProcess> {
      const old = processOf(podName);
      const how = started.get(podName)!;
      if (old.process.isRunning() || stopped) {
        throw new Error(`${podName}: cannot restart a process that ${stopped ? 'was stopped with the stack' : 'still runs'}`);
      }
      how.restarts += 1;
      const criLog = join(dirname(how.spec.criLog), `${how.restarts}.log`);
      log(`restarting ${podName} (restart ${how.restarts})`);
      const restarted: LiveProcess = { ...old, process: new ManagedProcess({ ...how.spec, criLog }) };
      processes[processes.indexOf(old)] = restarted;
      await waitReady([restarted], Date.now() + (restartOptions.readyTimeoutMs ?? 120_000));
      return restarted;
    },
    podUrl(podName: string, containerPort: number): string {
      return `http://${LOOPBACK}:${localPortOf(processOf(podName).pod, containerPort)}`;
    },
    stop,
  };
}

/** The component's config file, rewritten for the local stack. */
function localConfigText(runner: Runner, key: string, text: string, transform: Parameters<typeof localPrometheusConfig>[1], pod: LocalPod): string {
  const doc = parse(text);
  const yaml = (v: unknown): string => stringify(v, { lineWidth: 0 });
  switch (runner.component) {
    case ComponentName.PROMETHEUS:
      return yaml(localPrometheusConfig(doc as PrometheusConfigInput, transform));
    case ComponentName.ALERTMANAGER:
      return yaml(localAlertmanagerConfig(doc as object, transform));
    case ComponentName.OTEL_COLLECTOR:
      return yaml(
        localOtelCollectorConfig(doc as OtelCollectorConfigInput, transform, {
          host: LOOPBACK,
          healthPort: localPortOf(pod, Ports.otelCollectorHealth),
          metricsPort: localPortOf(pod, Ports.otelCollectorMetrics),
        }),
      );
    default:
      throw new Error(`no local transform for ${key} of ${runner.component}`);
  }
}

/** The FL wrappers' environment: the manifest's, bound to loopback and the mapped ports. */
function flEnv(
  component: LiveComponent,
  manifestEnv: Record<string, string>,
  pod: LocalPod,
  addresses: ReadonlyMap<string, string>,
  sparePort: number,
  mounts: readonly PathMount[],
): Record<string, string> {
  const tmp = mounts.find((m) => m.path === '/tmp')?.localPath;
  if (tmp === undefined) {
    throw new Error(`${pod.name}: the FL containers are expected to mount a writable /tmp`);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp,
    TMPDIR: tmp,
    PYTHONPATH: FL_APP,
    PYTHONUNBUFFERED: '1',
    // As the images set them (workloads/fl/Dockerfile.*).
    FLWR_TELEMETRY_ENABLED: '0',
    FLWR_DISABLE_UPDATE_CHECK: '1',
    ...Object.fromEntries(Object.entries(manifestEnv).map(([k, v]) => [k, localAddress(v, addresses, `${pod.name} env ${k}`)])),
    FL_METRICS_HOST: LOOPBACK,
    FL_METRICS_PORT: String(localPortOf(pod, Number(manifestEnv.FL_METRICS_PORT))),
  };
  if (component === ComponentName.FL_SERVER) {
    env.FL_SERVER_HOST = LOOPBACK;
    env.FL_SERVER_PORT = String(localPortOf(pod, Number(manifestEnv.FL_SERVER_PORT)));
  } else {
    // The SuperNode's runtime API is pod-local in the cluster; locally each client needs its own port.
    env.FL_CLIENT_RUNTIME_PORT = String(sparePort);
  }
  if (!existsSync(FL_PYTHON)) {
    throw new Error(`${FL_PYTHON} not found: run workloads/fl/setup.sh (npm test does)`);
  }
  mkdirSync(dirname(tmp), { recursive: true });
  return env;
}
