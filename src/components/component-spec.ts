import type { Construct } from 'constructs';
import type { StackConfig } from '../config/schema';
import type { ComponentProbe } from '../health/probe';
import type { MonitoredComponent, MonitoredWorkload, ProvisionedDashboard } from '../monitoring/mixin';
import { ComponentName } from '../common/names';
import type { ScrapeConfig } from '../common/scrape-config';
import type { Topology } from '../common/topology';

/** The stack namespace a workload runs in: the key of `config.namespaces`. */
export enum NamespaceTier {
  TRAINING = 'training',
  AGENTS = 'agents',
  MONITORING = 'monitoring',
}

/** Traffic from anywhere, e.g. the sites' pushes to the central store's remote-write endpoint. */
export const ANYWHERE = 'anywhere';

/**
 * Users of a UI from outside the stack: the Ingress controller when `ingress.hosts` exposes it, and
 * the API server's service proxy (`networkPolicies.apiServerCidrs`). `kubectl port-forward` needs no
 * flow (NetworkPolicies do not filter it).
 */
export const UI_ACCESS = 'ui-access';

/**
 * The metrics scrapers: Prometheus in a full stack, vmagent at a site. A metrics port admits both;
 * only the one a config deploys gets the flow.
 */
export const SCRAPERS: readonly ComponentName[] = [ComponentName.PROMETHEUS, ComponentName.VMAGENT];

/** Who may open a connection: a workload of the stack, a UI's users, or anyone. */
export type FlowSource = ComponentName | typeof UI_ACCESS | typeof ANYWHERE;

/** A port a workload accepts connections on, and from whom (its NetworkPolicy admits exactly these). */
export interface IngressPort {
  readonly port: number;
  /** Sources, in the order the policy lists them; sources not deployed by a config are left out. */
  readonly from: readonly FlowSource[];
}

/** How the live local harness runs a workload's container on loopback (test knowledge kept with the component). */
export enum LocalRunKind {
  /** A binary built by the tools driver, named by `binary`. */
  TOOL = 'tool',
  /** A module of the FL workload's Python environment. */
  PYTHON_MODULE = 'python-module',
  /** A console script of a pinned Python virtualenv in the tools cache (`<tools>/<venv>/bin/<program>`). */
  VENV_PROGRAM = 'venv-program',
  /** Not runnable here; `reason` says why. */
  UNAVAILABLE = 'unavailable',
}

/** When the harness starts a process: stores and routers first, then what writes to them, then the workload. */
export enum LocalStartPhase {
  STORAGE = 0,
  PIPELINE = 1,
  WORKLOAD = 2,
}

/** A workload's local run. */
export type LocalRun =
  | {
      readonly kind: LocalRunKind.TOOL;
      readonly binary: string;
      readonly container: string;
      readonly phase: LocalStartPhase;
      /** The ConfigMap key of the config file the local transform rewrites. @default - none */
      readonly configKey?: string;
      /** Flags whose value is a listen address, and the container port they listen on. @default - none */
      readonly listenFlags?: Readonly<Record<string, number>>;
    }
  | { readonly kind: LocalRunKind.PYTHON_MODULE; readonly module: string; readonly container: string; readonly phase: LocalStartPhase }
  | {
      readonly kind: LocalRunKind.VENV_PROGRAM;
      /** The virtualenv's directory in the tools cache, named by its pinned release (e.g. `mlflow-venv-3.17.2`). */
      readonly venv: string;
      readonly program: string;
      readonly container: string;
      readonly phase: LocalStartPhase;
      /** Flags whose value is a bind address only (the port has its own flag). @default - none */
      readonly bindFlags?: readonly string[];
      /** Flags whose value is a port only, and the container port they stand for. @default - none */
      readonly portFlags?: Readonly<Record<string, number>>;
    }
  | { readonly kind: LocalRunKind.UNAVAILABLE; readonly reason: string };

/** One kind of pod of a component, named by its `app.kubernetes.io/name`. */
export interface WorkloadSpec extends MonitoredWorkload {
  readonly tier: NamespaceTier;
  /**
   * The port its Service answers on for other components (the topology's endpoint).
   * @default - no Service other components address
   */
  readonly servicePort?: number;
  /** Ports it accepts connections on, with their sources. @default - none: no allow policy (e.g. on the host network) */
  readonly ingress?: readonly IngressPort[];
  /**
   * Serves HTTPS on `servicePort` with the stack's web certificate when `webTls.enabled` (its web
   * config, probes and every client follow through its endpoint's scheme). @default false
   */
  readonly webTls?: boolean;
  /** A UI reached by port-forwarding its Service on `servicePort` (listed by the Pulumi program). @default false */
  readonly ui?: boolean;
  /** How the live local harness runs it. @default - not runnable locally, without a reason */
  readonly local?: LocalRun;
}

/** What a component's construct factory receives, resolved once by the composition layer. */
export interface BuildContext {
  readonly config: StackConfig;
  /** The namespace of each of the component's tiers. */
  readonly namespace: (tier: NamespaceTier) => string;
  /** In-cluster addresses of the stack's Services. */
  readonly topology: Topology;
  /** The stack's discovery scrape jobs (those the specs offer through `scrapeJobs`), rendered on first call. */
  readonly scrapeJobs: () => readonly ScrapeConfig[];
  /** Rule file name → YAML of every enabled mixin of the cluster's scope (Prometheus mounts them). */
  readonly ruleFiles: Readonly<Record<string, string>>;
  /** Rule file name → YAML of every enabled mixin of the federation's scope (Thanos Rule mounts them). */
  readonly federationRuleFiles: Readonly<Record<string, string>>;
  /** Every enabled mixin's dashboards (Grafana provisions them). */
  readonly dashboards: readonly ProvisionedDashboard[];
}

/** How the Pulumi program builds one of a component's images from this repository. */
export interface ImageBuild {
  /** The image key in versions.json (also the Pulumi resource name). */
  readonly key: string;
  /** The build context directory, relative to the repository root. */
  readonly context: string;
  /** The Dockerfile, relative to the repository root. */
  readonly dockerfile: string;
  /** `--build-arg`s (base images and plugin versions pinned in versions.json). */
  readonly args: () => Readonly<Record<string, string>>;
  /** Where the config overrides the image (repository:tag), e.g. `['fl', 'server', 'image']`; the Pulumi program sets it to the build. */
  readonly configPath: readonly string[];
}

/**
 * Everything the stack knows about one component, exported by its folder. The ordered list of these
 * (src/component-list.ts) is the only place that enumerates the components.
 */
export interface ComponentSpec extends MonitoredComponent {
  /** Chart id: the dist/ file is `NN-<id>.k8s.yaml`. */
  readonly id: string;
  /** The chart's fixed number (apply order); fixed so that enabling one component never renames another's file. */
  readonly chartOrder: number;
  /** Whether the config deploys it. */
  readonly enabled: (config: StackConfig) => boolean;
  readonly workloads: readonly WorkloadSpec[];
  /** The scrape jobs this component defines for the stack, offered to other scrapers (the site agent). @default - none */
  readonly scrapeJobs?: (config: StackConfig, topology: Topology) => readonly ScrapeConfig[];
  /** Adds the component's objects to its chart. */
  readonly build: (scope: Construct, ctx: BuildContext) => void;
  /** Its own health checks (the health CLI runs those of enabled components). @default - none */
  readonly probes?: readonly ComponentProbe[];
  /** Images the Pulumi program builds from this repository. @default - none: pinned images are pulled */
  readonly images?: readonly ImageBuild[];
  /** Things a reviewer should know about this config, printed by synth; asked of every component, enabled or not. @default - none */
  readonly warnings?: (config: StackConfig) => readonly string[];
}
