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
export const panelsOf = (def: DashboardDef): PanelJson[] => def.json.panels as PanelJson[];
export const panel = (def: DashboardDef, title: string): PanelJson => {
  const found = panelsOf(def).find((p) => p.title === title);
  if (found === undefined) {
    throw new Error(`dashboard ${def.uid} has no panel "${title}"`);
  }
  return found;
};
export const exprsOf = (def: DashboardDef): string[] => panelsOf(def).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
export const variable = (def: DashboardDef, name: string): VariableJson | undefined =>
  ((def.json.templating as { list: VariableJson[] }).list).find((v) => v.name === name);
