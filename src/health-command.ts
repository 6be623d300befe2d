import { stackProbes, stackTopology } from './component-list';
import { stackExpectedObjects } from './stack';
import { ConfigError, loadConfig } from './config/loader';
import type { StackConfig } from './config/schema';
import { DEFAULT_RESTART_WARNING } from './health/cluster-checks';
import { ALL_CHECKS, CheckKind, checkHealth, HealthUsageError, needsKube, validateEndpoints, type HealthOptions, type HealthReport } from './health/health';
import type { ExpectedObjects } from './health/expected';
import { KubeClient } from './health/kube-client';
import { KubeconfigError, kubeconfigFiles, loadKubeconfig } from './health/kubeconfig';
import { formatJson, formatTable } from './health/report';
import { exitCodeOf, USAGE_EXIT_CODE } from './health/status';
import { parseEndpointOverrides } from './health/transport';

/** What the health checks need to know of the stack under `config`: its probes, Services and (synthesized once, on first use) objects. */
export function stackHealth(config: StackConfig): Pick<HealthOptions, 'config' | 'probes' | 'topology' | 'expected'> {
  let expected: ExpectedObjects | undefined;
  return { config, probes: stackProbes(), topology: stackTopology(config), expected: () => (expected ??= stackExpectedObjects(config)) };
}

export const USAGE = `usage: npm run health -- [options]
  --kubeconfig <file>             kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
  --context <name>                kubeconfig context (default: its current-context)
  --profile <name>                stack profile (default: STACK_PROFILE, else profile: of the STACK_CONFIG file, else minikube)
  --format text|json              report format (default: text)
  --checks <list>                 comma-separated subset of ${[...ALL_CHECKS].join(',')} (default: all)
  --endpoint <component>=<url>    reach a component's health API at <url> instead of the service proxy (repeatable)
  --restart-warning <n>           restarts at which a pod is reported (default: ${DEFAULT_RESTART_WARNING})
  --timeout <seconds>             per-request timeout (default: 10)
  --continuous                    check again every --interval seconds until interrupted
  --interval <seconds>            pause between rounds with --continuous (default: 30)
exit status: 0 healthy, 1 a critical issue, 2 warnings only, ${USAGE_EXIT_CODE} could not check (usage, config, kubeconfig, API server unreachable)`;

/** Format of the report. */
export enum ReportFormat {
  TEXT = 'text',
  JSON = 'json',
}

/** The parsed command line. */
export interface HealthArgs {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly profile?: string;
  readonly format: ReportFormat;
  readonly checks: ReadonlySet<CheckKind>;
  readonly endpoints: ReadonlyMap<string, string>;
  readonly restartWarning: number;
  readonly timeoutSeconds: number;
  readonly continuous: boolean;
  readonly intervalSeconds: number;
}

/** A command line that cannot be run; the message names the flag and the value. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_FLAGS = new Set(['--kubeconfig', '--context', '--profile', '--format', '--checks', '--endpoint', '--restart-warning', '--timeout', '--interval']);
const BOOLEAN_FLAGS = new Set(['--continuous']);

function positiveNumber(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got '${value}'`);
  }
  return n;
}

/** Parses the arguments (`--flag value` or `--flag=value`). */
export function parseHealthArgs(argv: readonly string[]): HealthArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (BOOLEAN_FLAGS.has(flag)) {
      flags.add(flag);
    } else if (VALUE_FLAGS.has(flag)) {
      const value = flag === arg ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) {
        throw new UsageError(`${flag} needs a value`);
      }
      values.set(flag, [...(values.get(flag) ?? []), value]);
    } else {
      throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  const one = (flag: string): string | undefined => {
    const list = values.get(flag);
    if (list !== undefined && list.length > 1 && flag !== '--endpoint') {
      throw new UsageError(`${flag} is given ${list.length} times`);
    }
    return list?.[0];
  };
  const formatValue = one('--format') ?? ReportFormat.TEXT;
  const format = Object.values(ReportFormat).find((f) => f === formatValue);
  if (format === undefined) {
    throw new UsageError(`--format must be one of ${Object.values(ReportFormat).join(', ')}, got '${formatValue}'`);
  }
  const checksValue = one('--checks');
  const checks = new Set<CheckKind>();
  for (const name of checksValue?.split(',') ?? [...ALL_CHECKS]) {
    const kind = Object.values(CheckKind).find((k) => k === name.trim());
    if (kind === undefined) {
      throw new UsageError(`--checks: unknown check '${name}' (one of ${[...ALL_CHECKS].join(', ')})`);
    }
    checks.add(kind);
  }
  const continuous = flags.has('--continuous');
  const interval = one('--interval');
  if (interval !== undefined && !continuous) {
    throw new UsageError('--interval needs --continuous');
  }
  let endpoints: Map<string, string>;
  try {
    endpoints = parseEndpointOverrides(values.get('--endpoint') ?? []);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const restart = one('--restart-warning');
  const timeout = one('--timeout');
  return {
    kubeconfig: one('--kubeconfig'),
    context: one('--context'),
    profile: one('--profile'),
    format,
    checks,
    endpoints,
    restartWarning: restart === undefined ? DEFAULT_RESTART_WARNING : positiveNumber('--restart-warning', restart, true),
    timeoutSeconds: timeout === undefined ? 10 : positiveNumber('--timeout', timeout, false),
    continuous,
    intervalSeconds: interval === undefined ? 30 : positiveNumber('--interval', interval, false),
  };
}

/** Where the command writes, and how it is stopped (tests pass their own). */
export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Aborting ends a continuous run after the current round. @default - never */
  readonly signal?: AbortSignal;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolvePromise) => {
    if (signal?.aborted ?? false) {
      resolvePromise();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolvePromise();
    }
    signal?.addEventListener('abort', done);
  });
}

function render(report: HealthReport, args: HealthArgs): string {
  if (args.format === ReportFormat.JSON) {
    return args.continuous ? formatJson(report, { time: new Date(), compact: true }) : formatJson(report);
  }
  return args.continuous ? `== ${new Date().toISOString()}\n${formatTable(report)}\n` : formatTable(report);
}

/**
 * Why the API server cannot be used at all (no answer, TLS refused, credentials refused), or
 * undefined when it answers `/version`. Nothing can be checked then: exit {@link USAGE_EXIT_CODE},
 * not a critical finding about the stack.
 */
async function apiServerUnreachable(kube: KubeClient): Promise<string | undefined> {
  const server = kube.connection.server;
  try {
    const res = await kube.request('/version');
    return res.status === 401 ? `the Kubernetes API server at ${server} refused the kubeconfig's credentials (HTTP 401)` : undefined;
  } catch (err) {
    return `cannot reach the Kubernetes API server at ${server}: ${(err as Error).message}`;
  }
}

/**
 * The health command: loads the stack config (STACK_CONFIG / STACK_PROFILE / --profile) and the
 * kubeconfig, runs one round of checks (or one per interval with --continuous) and returns the exit
 * status of the last round.
 */
export async function runHealthCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: HealthArgs;
  let config: StackConfig;
  let kube: KubeClient | undefined;
  try {
    args = parseHealthArgs(argv);
    config = loadConfig(args.profile === undefined ? io.env : { ...io.env, STACK_PROFILE: args.profile });
    validateEndpoints(config, args.endpoints, stackProbes());
    if (needsKube({ config, endpoints: args.endpoints, checks: args.checks, probes: stackProbes() })) {
      kube = new KubeClient(loadKubeconfig(kubeconfigFiles(args.kubeconfig, io.env), args.context), args.timeoutSeconds * 1000);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof KubeconfigError || err instanceof HealthUsageError) {
      io.err(err.message);
      if (err instanceof UsageError) {
        io.err(USAGE);
      }
      return USAGE_EXIT_CODE;
    }
    throw err;
  }
  if (kube !== undefined) {
    const unreachable = await apiServerUnreachable(kube);
    if (unreachable !== undefined) {
      io.err(unreachable);
      return USAGE_EXIT_CODE;
    }
  }
  const options: HealthOptions = {
    ...stackHealth(config),
    kube,
    endpoints: args.endpoints,
    checks: args.checks,
    restartWarning: args.restartWarning,
    timeoutMs: args.timeoutSeconds * 1000,
  };
  for (;;) {
    const report = await checkHealth(options);
    io.out(render(report, args));
    if (!args.continuous || (io.signal?.aborted ?? false)) {
      return exitCodeOf(report.status);
    }
    await sleep(args.intervalSeconds * 1000, io.signal);
    if (io.signal?.aborted ?? false) {
      return exitCodeOf(report.status);
    }
  }
}

if (require.main === module) {
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => controller.abort());
  }
  runHealthCommand(process.argv.slice(2), {
    env: process.env,
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = USAGE_EXIT_CODE;
    },
  );
}
