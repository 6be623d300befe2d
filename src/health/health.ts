import type { Topology } from '../common/topology';
import type { StackConfig } from '../config/schema';
import { serviceCheck, workloadChecks, DEFAULT_RESTART_WARNING } from './cluster-checks';
import type { ExpectedObjects } from './expected';
import type { KubeClient } from './kube-client';
import type { StackProbe } from './probe';
import { critical, HealthStatus, ok, worst, type CheckResult } from './status';
import { DirectTransport, RoutedTransport, ServiceProxyTransport, type HealthTransport } from './transport';

/** The groups of checks, selectable with `--checks`. */
export enum CheckKind {
  /** Workloads' pods ready, and not restarting. */
  PODS = 'pods',
  /** Services with ready endpoints (EndpointSlices). */
  SERVICES = 'services',
  /** Each component's own health API (through the service proxy or an `--endpoint`). */
  PROBES = 'probes',
}

export const ALL_CHECKS: ReadonlySet<CheckKind> = new Set(Object.values(CheckKind));

/** Options of {@link checkHealth}. */
export interface HealthOptions {
  /** Which components are enabled, their namespaces and names. */
  readonly config: StackConfig;
  /** The API client; needed for pods and services, and for probes without an endpoint. @default - none */
  readonly kube?: KubeClient;
  /** Component name → base URL: probes go there instead of through the service proxy. @default - none */
  readonly endpoints?: ReadonlyMap<string, string>;
  /** @default ALL_CHECKS */
  readonly checks?: ReadonlySet<CheckKind>;
  /** Restarts at which a pod is reported. @default DEFAULT_RESTART_WARNING */
  readonly restartWarning?: number;
  /** Per-request timeout of the probes' HTTP calls. @default 10000 */
  readonly timeoutMs?: number;
  /** The stack's probes (tests narrow them). */
  readonly probes: readonly StackProbe[];
  /** Where the stack's Services answer (the probes' endpoints). */
  readonly topology: Topology;
  /** The workloads and Services the config deploys, for the pod and Service checks (computed once, on first use). */
  readonly expected?: () => ExpectedObjects;
}

/** The result of one round of checks. */
export interface HealthReport {
  /** The worst status of all rows. */
  readonly status: HealthStatus;
  readonly results: readonly CheckResult[];
}

/** Thrown for options that cannot work (an endpoint for an unknown or disabled component, no API client). */
export class HealthUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HealthUsageError';
  }
}

/** The probes of the enabled components. */
export function enabledProbes(config: StackConfig, probes: readonly StackProbe[]): StackProbe[] {
  return probes.filter((p) => p.enabled(config));
}

/** Refuses `--endpoint` names that are not an enabled component with a probe. */
export function validateEndpoints(config: StackConfig, endpoints: ReadonlyMap<string, string>, probes: readonly StackProbe[]): void {
  const known = probes.map((p) => p.component as string);
  for (const name of endpoints.keys()) {
    const probe = probes.find((p) => p.component === name);
    if (probe === undefined) {
      throw new HealthUsageError(`--endpoint ${name}: not a component with a health probe (one of ${known.join(', ')})`);
    }
    if (!probe.enabled(config)) {
      throw new HealthUsageError(`--endpoint ${name}: ${name} is disabled by the config`);
    }
  }
}

/** Whether the options need the Kubernetes API. */
export function needsKube(options: Pick<HealthOptions, 'config' | 'endpoints' | 'checks' | 'probes'>): boolean {
  const checks = options.checks ?? ALL_CHECKS;
  const endpoints = options.endpoints ?? new Map<string, string>();
  return (
    checks.has(CheckKind.PODS) ||
    checks.has(CheckKind.SERVICES) ||
    (checks.has(CheckKind.PROBES) && enabledProbes(options.config, options.probes).some((p) => !endpoints.has(p.component)))
  );
}

async function probeChecks(probe: StackProbe, config: StackConfig, topology: Topology, transport: HealthTransport): Promise<CheckResult[]> {
  const endpoint = probe.endpoint(topology, config);
  return Promise.all(
    probe.checks(config).map(async (check): Promise<CheckResult> => {
      const row = { component: probe.component, check: check.name };
      try {
        return { ...row, ...check.evaluate(await transport.get(probe.component, endpoint, check.path)) };
      } catch (err) {
        return { ...row, ...critical((err as Error).message) };
      }
    }),
  );
}

/** The API server answers `/version`: one `cluster api` row, critical when it does not. */
async function apiCheck(kube: KubeClient): Promise<CheckResult> {
  const row = { component: 'cluster', check: 'api' };
  try {
    const version = await kube.get<{ gitVersion?: string }>('/version');
    return { ...row, ...ok(`${version.gitVersion ?? 'unknown version'} at ${kube.connection.server} (context ${kube.connection.context})`) };
  } catch (err) {
    return { ...row, ...critical((err as Error).message) };
  }
}

/**
 * One round: pods and Services of every enabled component (as the config synthesizes them) through
 * the API, and every enabled component's own probes through the service proxy or an endpoint override.
 * Rows are grouped by component in the stack's order.
 */
export async function checkHealth(options: HealthOptions): Promise<HealthReport> {
  const { config, kube } = options;
  const checks = options.checks ?? ALL_CHECKS;
  const endpoints = options.endpoints ?? new Map<string, string>();
  const probes = enabledProbes(config, options.probes);
  validateEndpoints(config, endpoints, options.probes);
  if (kube === undefined && needsKube(options)) {
    throw new HealthUsageError('these checks need the Kubernetes API: give a kubeconfig, or --checks probes with an --endpoint for every enabled probed component');
  }
  const results: CheckResult[] = [];
  let apiUp = true;
  if (kube !== undefined) {
    const api = await apiCheck(kube);
    results.push(api);
    apiUp = api.status === HealthStatus.OK;
  }
  const direct = new DirectTransport(endpoints, options.timeoutMs ?? 10_000);
  const transport = new RoutedTransport(direct, kube === undefined || !apiUp ? undefined : new ServiceProxyTransport(kube));
  const tasks: Promise<CheckResult[]>[] = [];
  const kubeChecks = kube !== undefined && apiUp && (checks.has(CheckKind.PODS) || checks.has(CheckKind.SERVICES));
  if (kubeChecks && options.expected === undefined) {
    throw new HealthUsageError('the pod and Service checks need the expected objects of the config');
  }
  const expected: ExpectedObjects = kubeChecks && options.expected !== undefined ? options.expected() : { workloads: [], services: [] };
  if (kube !== undefined && apiUp) {
    if (checks.has(CheckKind.PODS)) {
      tasks.push(...expected.workloads.map((w) => workloadChecks(kube, w, { restartWarning: options.restartWarning ?? DEFAULT_RESTART_WARNING })));
    }
    if (checks.has(CheckKind.SERVICES)) {
      tasks.push(...expected.services.map((s) => serviceCheck(kube, s).then((r) => [r])));
    }
  }
  if (checks.has(CheckKind.PROBES)) {
    // With the API down, only the probes with an endpoint override can run.
    tasks.push(...probes.filter((p) => apiUp || direct.has(p.component)).map((p) => probeChecks(p, config, options.topology, transport)));
  }
  const rows = (await Promise.all(tasks)).flat();
  const order = [...new Set([...expected.workloads.map((w) => w.component), ...expected.services.map((s) => s.component), ...probes.map((p) => p.component as string)])];
  const rank = (component: string): number => order.indexOf(component);
  // Stable sort: within a component, pods and restarts, then services, then probes, as queued.
  results.push(...rows.map((row, i) => ({ row, i })).sort((a, b) => rank(a.row.component) - rank(b.row.component) || a.i - b.i).map(({ row }) => row));
  return { status: worst(results.map((r) => r.status)), results };
}
