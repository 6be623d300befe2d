import type { StackConfig } from '../config/schema';
import type { MetricCatalog, MetricDef } from './catalog';
import type { RuleGroupBuilder } from './rules';

/** A built dashboard: fixed uid, the Grafana folder it goes to, and its JSON model. */
export interface DashboardDef {
  readonly uid: string;
  readonly title: string;
  readonly folder: string;
  readonly json: Record<string, unknown>;
}

/** What a mixin builder receives. */
export interface MixinContext {
  readonly config: StackConfig;
  readonly catalog: MetricCatalog;
  /** Series recorded by any mixin: rules and dashboards may use them. */
  readonly recorded: ReadonlySet<string>;
}

/** A component's monitoring: the metrics it exports, its rules and its dashboards. */
export interface Mixin {
  /** File base name: rules/<name>.rules.yaml. */
  readonly name: string;
  /** Whether the component is deployed by this config (its rules and dashboards are shipped only then). */
  readonly enabled: (config: StackConfig) => boolean;
  /** Its part of the metric catalog; a function where the contract follows the config (e.g. histogram buckets). */
  readonly metrics: readonly MetricDef[] | ((config: StackConfig) => readonly MetricDef[]);
  /** Recording rules first: other mixins' rules and dashboards may use their series. */
  readonly recordingRules?: (ctx: MixinContext) => readonly RuleGroupBuilder[];
  readonly alertingRules?: (ctx: MixinContext) => readonly RuleGroupBuilder[];
  readonly dashboards?: (ctx: MixinContext) => readonly DashboardDef[];
}
