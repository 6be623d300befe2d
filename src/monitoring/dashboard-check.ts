/**
 * The dashboard checker: everything wrong with a dashboard's JSON model, each problem naming the
 * dashboard, the panel and the target (`dashboard <uid>, panel <id> "<title>", target <refId>: …`).
 * `npm run generate` refuses to write dashboards that have any ({@link checkDashboards}).
 */
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { MetricType } from './catalog';
import type { DashboardDef, MixinContext } from './mixin';
import { parseLogQL, parsePromQL, substituteGrafanaMacros } from './promql';

/** What the checks look metrics up in: the catalog and the series recording rules produce. */
export type DashboardCheckContext = Pick<MixinContext, 'catalog' | 'recorded'>;

/** Grafana's own variables, which need no definition. */
export const BUILTIN_VARIABLES: readonly string[] = ['__rate_interval', '__interval', '__range'];

interface PanelJson {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: TargetJson[];
  panels?: PanelJson[];
  fieldConfig?: { defaults?: { unit?: string } };
}
interface TargetJson {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}
interface VariableJson {
  name?: string;
  type?: string;
  query?: unknown;
  datasource?: { type?: string; uid?: string };
}

const VARIABLE_REF = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
const RATE_FUNCTIONS = new Set(['rate', 'increase', 'irate']);
/** Stands for `$__rate_interval` while parsing, so the range checks can tell it from literals. */
const RATE_INTERVAL_SENTINEL = '17171s';
const UNITLESS_PANELS = new Set(['row', 'text', 'logs']);

/** Variable names a text references (`$x`, `${x}`, `${x:fmt}`). */
export function referencedVariables(text: string): string[] {
  return [...text.matchAll(VARIABLE_REF)].map((m) => m[1] ?? m[2]!);
}

/**
 * PromQL usage problems beyond syntax: ranges of rate/increase/irate that are not
 * `[$__rate_interval]`, rate of a non-counter, and histograms used without `_bucket/_sum/_count`.
 */
export function promqlUsageProblems(expr: string, ctx: Pick<DashboardCheckContext, 'catalog'>): string[] {
  const problems: string[] = [];
  const text = substituteGrafanaMacros(expr.replace(/\$__rate_interval\b/g, RATE_INTERVAL_SENTINEL));
  const tree = promqlParser.parse(text);
  tree.iterate({
    enter(node) {
      if (node.name === 'VectorSelector') {
        const ident = node.node.getChild('Identifier');
        if (ident !== null) {
          const name = text.slice(ident.from, ident.to);
          const def = ctx.catalog.lookup(name);
          if (def?.type === MetricType.HISTOGRAM && def.name === name) {
            problems.push(`histogram ${name} is used without _bucket, _sum or _count`);
          }
        }
      }
      if (node.name !== 'FunctionCall') {
        return;
      }
      const fn = node.node.getChild('FunctionIdentifier');
      const body = node.node.getChild('FunctionCallBody');
      const name = fn === null ? '' : text.slice(fn.from, fn.to);
      if (!RATE_FUNCTIONS.has(name) || body === null) {
        return;
      }
      const arg = body.getChild('MatrixSelector') ?? body.getChild('SubqueryExpr');
      if (arg === null) {
        return;
      }
      const range = arg.getChild('DurationExpr');
      const rangeText = range === null ? '' : text.slice(range.from, range.to);
      if (rangeText !== RATE_INTERVAL_SENTINEL) {
        problems.push(`${name}() range must be [$__rate_interval], got [${rangeText}] in ${text.slice(node.from, node.to).replaceAll(RATE_INTERVAL_SENTINEL, '$__rate_interval')}`);
      }
      const selector = arg.getChild('VectorSelector')?.getChild('Identifier');
      if (selector !== null && selector !== undefined) {
        const metric = text.slice(selector.from, selector.to);
        const def = ctx.catalog.lookup(metric);
        if (def !== undefined && def.type !== MetricType.COUNTER && def.type !== MetricType.HISTOGRAM) {
          problems.push(`${name}() of ${metric}, which is a ${def.type}, not a counter`);
        }
      }
    },
  });
  return problems;
}

function allPanels(panels: readonly PanelJson[]): PanelJson[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/**
 * Everything wrong with one dashboard's JSON: queries that do not parse, metrics neither in the
 * catalog nor recorded, undefined variables, rate ranges, targets without refId/datasource, panel
 * ids not unique, panels without unit, Prometheus targets without legend.
 */
export function dashboardProblems(json: Record<string, unknown>, ctx: DashboardCheckContext): string[] {
  const uid = String(json.uid ?? '(no uid)');
  const problems: string[] = [];
  const report = (where: string, problem: string): void => {
    problems.push(`dashboard ${uid}, ${where}: ${problem}`);
  };

  const variables = ((json.templating as { list?: VariableJson[] } | undefined)?.list ?? []) as VariableJson[];
  const defined = new Set<string>([...BUILTIN_VARIABLES, ...variables.map((v) => v.name ?? '')]);
  const datasourceVars = new Map(variables.filter((v) => v.type === 'datasource').map((v) => [v.name ?? '', String(v.query)]));
  const checkVariables = (where: string, text: string): void => {
    for (const name of referencedVariables(text)) {
      if (!defined.has(name)) {
        report(where, `uses $${name}, which is not a variable of the dashboard`);
      }
    }
  };
  const checkMetrics = (where: string, metrics: readonly string[]): void => {
    for (const m of metrics) {
      if (ctx.catalog.lookup(m) === undefined && !ctx.recorded.has(m)) {
        report(where, `metric ${m} is neither in the metric catalog nor a recorded series`);
      }
    }
  };
  const checkDatasource = (where: string, ds: { type?: string; uid?: string } | undefined): void => {
    if (ds?.type === undefined || ds.uid === undefined) {
      report(where, 'has no datasource {type, uid}');
      return;
    }
    const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(ds.uid);
    if (m === null) {
      report(where, `datasource uid ${ds.uid} is not a datasource variable`);
    } else if (datasourceVars.get(m[1]!) !== ds.type) {
      report(where, `datasource ${ds.uid} is not a ${ds.type} datasource variable of the dashboard`);
    }
  };

  for (const v of variables) {
    const where = `variable ${v.name}`;
    if (v.type !== 'query') {
      continue;
    }
    checkDatasource(where, v.datasource);
    const query = String(v.query);
    checkVariables(where, query);
    const m = /^label_values\((.+),\s*[A-Za-z_][A-Za-z0-9_]*\)$/.exec(query);
    if (m !== null) {
      const parsed = parsePromQL(m[1]!);
      parsed.errors.forEach((e) => report(where, `selector of ${query}: ${e}`));
      checkMetrics(where, parsed.metrics);
    }
  }

  const panels = allPanels((json.panels ?? []) as PanelJson[]);
  const ids = new Set<number>();
  for (const panel of panels) {
    const where = `panel ${panel.id ?? '?'} "${panel.title ?? ''}"`;
    if (typeof panel.id !== 'number') {
      report(where, 'has no id');
    } else if (ids.has(panel.id)) {
      report(where, `id ${panel.id} is not unique`);
    } else {
      ids.add(panel.id);
    }
    if (!UNITLESS_PANELS.has(panel.type ?? '') && !(panel.fieldConfig?.defaults?.unit ?? '')) {
      report(where, 'has no unit (fieldConfig.defaults.unit)');
    }
    if (panel.datasource !== undefined) {
      checkDatasource(where, panel.datasource);
    }
    const refIds = new Set<string>();
    for (const [i, target] of (panel.targets ?? []).entries()) {
      const tw = `${where}, target ${target.refId ?? `#${i}`}`;
      if (!target.refId) {
        report(tw, 'has no refId');
      } else if (refIds.has(target.refId)) {
        report(tw, `refId ${target.refId} is not unique`);
      } else {
        refIds.add(target.refId);
      }
      checkDatasource(tw, target.datasource);
      const expr = target.expr ?? '';
      if (expr === '') {
        report(tw, 'has no expr');
        continue;
      }
      checkVariables(tw, expr);
      if (target.datasource?.type === 'loki') {
        parseLogQL(expr).errors.forEach((e) => report(tw, `LogQL ${expr}: ${e}`));
      } else {
        const parsed = parsePromQL(expr);
        parsed.errors.forEach((e) => report(tw, `PromQL ${expr}: ${e}`));
        checkMetrics(tw, parsed.metrics);
        promqlUsageProblems(expr, ctx).forEach((p) => report(tw, p));
        if (!target.legendFormat) {
          report(tw, 'has no legendFormat');
        }
      }
    }
  }
  return problems;
}

/** Problems of a set of dashboards: each one's, plus uids that are not unique. */
export function dashboardsProblems(defs: readonly DashboardDef[], ctx: DashboardCheckContext): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const def of defs) {
    if (seen.has(def.uid)) {
      problems.push(`dashboard uid ${def.uid} is not unique`);
    }
    seen.add(def.uid);
    if (def.json.uid !== def.uid) {
      problems.push(`dashboard ${def.uid}: JSON uid is ${String(def.json.uid)}`);
    }
    problems.push(...dashboardProblems(def.json, ctx));
  }
  return problems;
}

/** Dashboards that fail the checks; the message lists every problem, one per line. */
export class DashboardCheckError extends Error {
  /** Every problem, each naming its dashboard (and panel and target where it has one). */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`${problems.length} dashboard problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'DashboardCheckError';
    this.problems = problems;
  }
}

/** Throws a {@link DashboardCheckError} listing every problem of the dashboards, if they have any. */
export function checkDashboards(defs: readonly DashboardDef[], ctx: DashboardCheckContext): void {
  const problems = dashboardsProblems(defs, ctx);
  if (problems.length > 0) {
    throw new DashboardCheckError(problems);
  }
}
