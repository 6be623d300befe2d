import { resolveConfig } from '../src/config/loader';
import { COMPONENTS, deployedWorkloads } from '../src/component-list';
import type { StackConfig } from '../src/config/schema';
import { fullCatalog } from '../src/monitoring/collect';
import type { DashboardDef, MixinContext } from '../src/monitoring/mixin';

/** Shared scaffolding of the dashboards tests. */
export const CATALOG = fullCatalog(COMPONENTS);

export function contextOf(config: StackConfig = resolveConfig(), recorded: readonly string[] = ['namespace:fl_round_duration_seconds:p95']): MixinContext {
  return { config, catalog: CATALOG, recorded: new Set(recorded), deployed: deployedWorkloads(config) };
}

export interface PanelJson {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string; legendFormat?: string; datasource: { type: string; uid: string } }[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null; color: string }[] } } };
}
export interface VariableJson {
  name: string;
  type: string;
  query?: unknown;
  current?: { value?: unknown };
  multi?: boolean;
}
/** What the dashboard preset adds to every PromQL selector (test/monitoring/dashboard.test.ts checks it is everywhere). */
const CLUSTER_SCOPE = [', cluster=~"$cluster"', '{cluster=~"$cluster"}'];
/** A query without the preset's cluster scoping: the component's own selectors, which its tests assert. */
export const unscoped = (query: string): string => CLUSTER_SCOPE.reduce((text, scope) => text.replaceAll(scope, ''), query);

/** The panels, their PromQL read {@link unscoped}. */
export const panelsOf = (def: DashboardDef): PanelJson[] =>
  (def.json.panels as PanelJson[]).map((p) => (p.targets === undefined ? p : { ...p, targets: p.targets.map((t) => ({ ...t, expr: unscoped(t.expr) })) }));
export const panel = (def: DashboardDef, title: string): PanelJson => {
  const found = panelsOf(def).find((p) => p.title === title);
  if (found === undefined) {
    throw new Error(`dashboard ${def.uid} has no panel "${title}"`);
  }
  return found;
};
export const exprsOf = (def: DashboardDef): string[] => panelsOf(def).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
/** A template variable, its query read {@link unscoped}. */
export const variable = (def: DashboardDef, name: string): VariableJson | undefined => {
  const found = ((def.json.templating as { list: VariableJson[] }).list).find((v) => v.name === name);
  return found === undefined || typeof found.query !== 'string' ? found : { ...found, query: unscoped(found.query) };
};
