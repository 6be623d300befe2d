import type { ComponentName } from '../common/names';
import type { StackConfig } from '../config/schema';
import type { MetricCatalog, MetricDef } from './catalog';
import type { DashboardDef, RowSpec } from './dashboard';
import type { RuleGroupBuilder } from './rules';

export type { DashboardDef } from './dashboard';

/** A dashboard as Grafana provisions it: fixed uid, folder and JSON text. */
export interface ProvisionedDashboard {
  readonly uid: string;
  readonly folder: string;
  readonly json: string;
}

/** A kind of pod of a component, as monitoring sees it. */
export interface MonitoredWorkload {
  /** Its `app.kubernetes.io/name`: the scrape job and the `job` label of its series. */
  readonly name: ComponentName;
  /** Whether it keeps data on PersistentVolumeClaims named after it (the volume panels watch them). @default false */
  readonly persistentVolume?: boolean;
}

/** A component, as monitoring collection sees it: whether it is deployed, its pods and its mixin. */
export interface MonitoredComponent {
  readonly enabled: (config: StackConfig) => boolean;
  /**
   * Whether its mixin ships, where that differs from deploying it: a component the cluster's own
   * monitoring stack runs for us (operator mode) is not deployed, yet its rules and dashboards apply
   * to that stack's series. @default - when enabled
   */
  readonly monitored?: (config: StackConfig) => boolean;
  readonly workloads: readonly MonitoredWorkload[];
  /** Its metrics, rules and dashboards. @default - none */
  readonly mixin?: Mixin;
}

/** What a mixin builder receives. */
export interface MixinContext {
  readonly config: StackConfig;
  readonly catalog: MetricCatalog;
  /** Series recorded by any mixin: rules and dashboards may use them. */
  readonly recorded: ReadonlySet<string>;
  /** The workloads this config deploys, in the stack's order. */
  readonly deployed: readonly MonitoredWorkload[];
  /** The rows the deployed mixins add to the stack health dashboard (given to dashboard builders). @default - none */
  readonly stackHealthRows?: readonly RowSpec[];
}

/** Who evaluates a mixin's rules, over which series. */
export enum RuleScope {
  /** The cluster's Prometheus, over what it scrapes itself. */
  CLUSTER = 'cluster',
  /** Thanos Rule over Thanos Query: every site's series (the central profile). */
  FEDERATION = 'federation',
}

/** A component's monitoring: the metrics it exports, its rules and its dashboards. */
export interface Mixin {
  /** File base name: rules/<name>.rules.yaml. */
  readonly name: string;
  /** Who evaluates its rules. @default RuleScope.CLUSTER */
  readonly scope?: RuleScope;
  /** Its part of the metric catalog; a function where the contract follows the config (e.g. histogram buckets). */
  readonly metrics: readonly MetricDef[] | ((config: StackConfig) => readonly MetricDef[]);
  /** Recording rules first: other mixins' rules and dashboards may use their series. */
  readonly recordingRules?: (ctx: MixinContext) => readonly RuleGroupBuilder[];
  readonly alertingRules?: (ctx: MixinContext) => readonly RuleGroupBuilder[];
  readonly dashboards?: (ctx: MixinContext) => readonly DashboardDef[];
  /** Rows this component adds to the stack health dashboard (which the Prometheus mixin builds). @default - none */
  readonly stackHealthRows?: (ctx: MixinContext) => readonly RowSpec[];
}
