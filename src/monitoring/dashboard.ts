// The SDK's subpaths are package `exports`; tsconfig maps them to dist/ for the type checker.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { DATASOURCE_NAMES, DatasourceUid } from './datasources';
import type { StackConfig } from '../config/schema';
import { matchers, withMatcher } from './promql';


/*
 * Our presets over the Grafana Foundation SDK (classic dashboard schema). Component dashboards use
 * only what this module exports, so a move to the v2 schema stays inside this file.
 */


/** A built dashboard: fixed uid, the Grafana folder it goes to, and its JSON model. */
export interface DashboardDef {
  readonly uid: string;
  readonly title: string;
  readonly folder: string;
  /** The JSON model as provisioned: indented by two spaces, ending in a newline. */
  readonly text: string;
  /** The JSON model as plain data, parsed from `text` when first read (the checks read it; a synth writes `text`). */
  readonly json: Record<string, unknown>;
}

/** Grafana folders the dashboards are provisioned into. */
export const DashboardFolder = {
  FL: 'FL Training',
  INFRASTRUCTURE: 'Infrastructure',
  STACK: 'Observability Stack',
  LOGS: 'Logs',
} as const;
export type DashboardFolder = (typeof DashboardFolder)[keyof typeof DashboardFolder];

/** Tag every dashboard of the stack carries (the dashboards link menu lists them by it). */
export const STACK_TAG = 'fl-observability';

/** Grafana unit ids, named once. */
export const Unit = {
  NONE: units.NoUnit,
  SHORT: units.Short,
  /** 0..100 */
  PERCENT: units.Percent,
  /** 0..1 */
  RATIO: units.PercentUnit,
  SECONDS: units.Seconds,
  BYTES: units.BytesIEC,
  MEBIBYTES: units.Mebibytes,
  BYTES_PER_SECOND: units.BytesPerSecondSI,
  PER_SECOND: units.CountsPerSecond,
  OPS_PER_SECOND: units.OpsPerSecond,
  ROWS_PER_SECOND: units.RowsPerSecond,
  CELSIUS: units.Celsius,
  WATTS: units.Watt,
  HERTZ: units.Hertz,
  /** A Unix time in ms, shown as a date and time. */
  DATE_TIME: units.DatetimeISO,
} as const;

/** Template variable names the presets define. */
export const Var = {
  DATASOURCE: 'datasource',
  LOKI: 'loki',
  /** The `cluster` external label: one central store holds many clusters' series. */
  CLUSTER: 'cluster',
  NAMESPACE: 'namespace',
  /** The `site` label the site agents put on every series they ship (cross-silo). */
  SITE: 'site',
  JOB: 'job',
  SEARCH: 'search',
} as const;

const METRICS_DS: common.DataSourceRef = { type: 'prometheus', uid: `\${${Var.DATASOURCE}}` };
const LOGS_DS: common.DataSourceRef = { type: 'loki', uid: `\${${Var.LOKI}}` };
/**
 * Added to every vector selector of every PromQL query and query variable. In a central store the
 * series carry the `cluster` external label; Prometheus's own series do not, and match All (`.*`).
 */
const CLUSTER_MATCHER = `${Var.CLUSTER}=~"$${Var.CLUSTER}"`;


/**
 * The matcher of the `site` variable for the selectors of a dashboard with `sites: true`: All (`.*`)
 * also matches the series of the central cluster, which carry no `site` label.
 */
export const SITE_SCOPE: Readonly<Record<string, string>> = { [Var.SITE]: `~$${Var.SITE}` };

/** The metrics datasource a config provisions as default: Prometheus, else VictoriaMetrics. */
export function defaultMetricsDatasource(config: StackConfig): DatasourceUid {
  return config.prometheus.enabled || !config.victoriaMetrics.enabled ? DatasourceUid.PROMETHEUS : DatasourceUid.VICTORIA_METRICS;
}

/** A selector of a recorded series (recording rules aggregate `job` away, so `sel()` does not apply). */
export function recordedSel(record: string, extra: Readonly<Record<string, string>> = {}): string {
  const labels: Record<string, string> = {};
  const regex: string[] = [];
  for (const [k, v] of Object.entries(extra)) {
    if (v.startsWith('~')) {
      regex.push(k);
      labels[k] = v.slice(1);
    } else {
      labels[k] = v;
    }
  }
  return Object.keys(labels).length === 0 ? record : `${record}${matchers(labels, regex)}`;
}

/** A Loki stream selector; values with a `~` prefix are regex matches (like `sel()`). */
export function streamSel(labels: Readonly<Record<string, string>>): string {
  return recordedSel('', labels);
}

/** `label_values(selector, label)`: the query of a Prometheus query variable. */
export function labelValues(selector: string, label: string): string {
  return `label_values(${selector}, ${label})`;
}

/** A `label_values(selector, label)` query restricted to the `$cluster` series. */
function clusterScoped(query: string): string {
  const m = /^label_values\((.*),\s*(\w+)\)$/s.exec(query);
  if (m === null) {
    throw new Error(`variable query ${query} is not label_values(selector, label)`);
  }
  return labelValues(withMatcher(m[1], CLUSTER_MATCHER), m[2]);
}

// ---------------------------------------------------------------------------------------------
// Queries

export type Query = prometheus.DataqueryBuilder | loki.DataqueryBuilder;

/** A PromQL query on the `$datasource` variable with an explicit legend, selecting the `$cluster` series. */
export function promQuery(expr: string, legend: string, opts: { instant?: boolean } = {}): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder()
    .datasource(METRICS_DS)
    .editorMode(prometheus.QueryEditorMode.Code)
    .expr(withMatcher(expr, CLUSTER_MATCHER))
    .legendFormat(legend);
  return opts.instant === true ? q.instant() : q.range();
}

/** A LogQL query on the `$loki` variable. Metric queries (`count_over_time`, …) take a legend. */
export function lokiQuery(expr: string, legend?: string): loki.DataqueryBuilder {
  const q = new loki.DataqueryBuilder().datasource(LOGS_DS).editorMode(loki.QueryEditorMode.Code).expr(expr);
  return legend === undefined ? q : q.legendFormat(legend);
}

function refId(i: number): string {
  return String.fromCharCode('A'.charCodeAt(0) + i);
}

function withTargets<P extends { withTarget(t: Query): P; datasource(d: common.DataSourceRef): P }>(panel: P, queries: readonly Query[], ds: common.DataSourceRef): P {
  if (queries.length === 0 || queries.length > 26) {
    throw new Error('a panel takes 1 to 26 queries');
  }
  queries.forEach((q, i) => panel.withTarget(q.refId(refId(i))));
  return panel.datasource(ds);
}

// ---------------------------------------------------------------------------------------------
// Panels

export type Panel = timeseries.PanelBuilder | stat.PanelBuilder | logs.PanelBuilder | table.PanelBuilder;

/** Layout and text shared by every panel preset. */
export interface PanelOptions {
  readonly description?: string;
  /** Grid columns (1..24). @default 12 (timeseries), 4 (stat), 24 (logs) */
  readonly width?: number;
  /** Grid rows. @default 8 (timeseries), 4 (stat), 12 (logs) */
  readonly height?: number;
}

/** A threshold drawn on a timeseries (and coloring a stat) from this value up. */
export interface ThresholdOption {
  readonly value: number;
  /** Color at and above the value. @default 'red' */
  readonly color?: string;
  /** Color below the value. @default 'green' */
  readonly baseColor?: string;
}

export interface TimeseriesOptions extends PanelOptions {
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  readonly axisLabel?: string;
  /** Stack the series (normal stacking). */
  readonly stack?: boolean;
  /** Bars instead of lines (e.g. counts per interval). */
  readonly bars?: boolean;
  readonly threshold?: ThresholdOption;
  /** Legend as a table with these calculations, e.g. ['lastNotNull', 'max']. @default list, no calcs */
  readonly legendCalcs?: readonly string[];
}

function thresholds(t: ThresholdOption | undefined): dash.ThresholdsConfigBuilder {
  const steps: dash.Threshold[] = [{ value: null, color: t?.baseColor ?? 'green' }];
  if (t !== undefined) {
    steps.push({ value: t.value, color: t.color ?? 'red' });
  }
  return new dash.ThresholdsConfigBuilder().mode(dash.ThresholdsMode.Absolute).steps(steps);
}

/** A timeseries panel: unit always set, legend from each query's legendFormat, shared tooltip. */
export function timeseriesPanel(title: string, unit: string, queries: readonly Query[], opts: TimeseriesOptions = {}): timeseries.PanelBuilder {
  const calcs = opts.legendCalcs ?? [];
  const legend = new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(calcs.length > 0 ? common.LegendDisplayMode.Table : common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom)
    .calcs([...calcs]);
  const panel = new timeseries.PanelBuilder()
    .title(title)
    .unit(unit)
    .span(opts.width ?? 12)
    .height(opts.height ?? 8)
    .legend(legend)
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .drawStyle(opts.bars === true ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(opts.bars === true || opts.stack === true ? 60 : 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .thresholds(thresholds(opts.threshold));
  if (opts.threshold !== undefined) {
    panel.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  if (opts.stack === true) {
    panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  }
  if (opts.description !== undefined) panel.description(opts.description);
  if (opts.min !== undefined) panel.min(opts.min);
  if (opts.max !== undefined) panel.max(opts.max);
  if (opts.decimals !== undefined) panel.decimals(opts.decimals);
  if (opts.axisLabel !== undefined) panel.axisLabel(opts.axisLabel);
  return withTargets(panel, queries, METRICS_DS);
}

export interface StatOptions extends PanelOptions {
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
  readonly threshold?: ThresholdOption;
  /** How to reduce each series. @default 'lastNotNull' */
  readonly reduce?: 'lastNotNull' | 'max' | 'mean' | 'sum';
  /** Show the series name (legend) instead of the value, e.g. for info metrics. */
  readonly showName?: boolean;
  /** Sparkline under the value. @default false */
  readonly sparkline?: boolean;
  /** Links from each value to another page (opened in a new tab). @default - none */
  readonly links?: readonly DataLink[];
  /** Shown when the query returns no series (e.g. `0` for a count of nothing). @default - Grafana's "No data" */
  readonly noValue?: string;
}

/** A data link: its URL may use the value's labels, `${__field.labels.<label>}`. */
export interface DataLink {
  readonly title: string;
  readonly url: string;
}

/** A field data link, opened in a new tab (the schema types it as a dashboard link; Grafana reads its title, url and targetBlank). */
function dataLink(link: DataLink): dash.DashboardLinkBuilder {
  return new dash.DashboardLinkBuilder(link.title).type(dash.DashboardLinkType.Link).url(link.url).targetBlank(true);
}

/** A stat panel: one big value per series. */
export function statPanel(title: string, unit: string, queries: readonly Query[], opts: StatOptions = {}): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(title)
    .unit(unit)
    .span(opts.width ?? 4)
    .height(opts.height ?? 4)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs([opts.reduce ?? 'lastNotNull']).fields(''))
    .graphMode(opts.sparkline === true ? common.BigValueGraphMode.Area : common.BigValueGraphMode.None)
    .colorMode(opts.threshold === undefined ? common.BigValueColorMode.None : common.BigValueColorMode.Value)
    .textMode(opts.showName === true ? common.BigValueTextMode.Name : common.BigValueTextMode.Auto)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .thresholds(thresholds(opts.threshold));
  if (opts.description !== undefined) panel.description(opts.description);
  if (opts.decimals !== undefined) panel.decimals(opts.decimals);
  if (opts.min !== undefined) panel.min(opts.min);
  if (opts.max !== undefined) panel.max(opts.max);
  if (opts.links !== undefined) panel.dataLinks(opts.links.map(dataLink));
  if (opts.noValue !== undefined) panel.noValue(opts.noValue);
  return withTargets(panel, queries, METRICS_DS);
}

/** One column of a {@link tablePanel} from an instant query whose result rows join on the table's label columns. */
export interface TableColumn {
  readonly header: string;
  readonly expr: string;
  /** Only the query's labels are shown (e.g. a `state` label it sets); its value column is hidden. @default false */
  readonly labelsOnly?: boolean;
}

/** Options of {@link tablePanel}. */
export interface TableOptions extends PanelOptions {
  /** The label columns, in display order (the queries aggregate by them; the table's rows are their values). */
  readonly keys: readonly { readonly label: string; readonly header: string }[];
  readonly columns: readonly TableColumn[];
  /** The unit of every value column (the schema types per-field overrides as objects, so one unit per table). @default Unit.NONE */
  readonly unit?: string;
}

/**
 * A table: one row per key (label values), one column per instant query, merged by Grafana's
 * `merge` transformation; the queries' Time column hidden, the value columns named.
 */
export function tablePanel(title: string, opts: TableOptions): table.PanelBuilder {
  const queries = opts.columns.map((c) => promQuery(c.expr, c.header, { instant: true }).format(prometheus.PromQueryFormat.Table));
  const valueField = (i: number): string => `Value #${refId(i)}`;
  const shown = opts.columns.flatMap((c, i) => (c.labelsOnly === true ? [] : [{ field: valueField(i), header: c.header }]));
  const hidden = opts.columns.flatMap((c, i) => (c.labelsOnly === true ? [valueField(i)] : []));
  const panel = new table.PanelBuilder()
    .title(title)
    .unit(opts.unit ?? Unit.NONE)
    .span(opts.width ?? 24)
    .height(opts.height ?? 8)
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm)
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: Object.fromEntries(['Time', ...hidden].map((f) => [f, true])),
        indexByName: Object.fromEntries([...opts.keys.map((k) => k.label), ...shown.map((c) => c.field)].map((name, i) => [name, i])),
        renameByName: Object.fromEntries([...opts.keys.map((k) => [k.label, k.header]), ...shown.map((c) => [c.field, c.header])]),
      },
    });
  if (opts.description !== undefined) panel.description(opts.description);
  return withTargets(panel, queries, METRICS_DS);
}

/** A logs panel on Loki queries (time, labels on demand, details, newest first). */
export function logsPanel(title: string, queries: readonly loki.DataqueryBuilder[], opts: PanelOptions = {}): logs.PanelBuilder {
  const panel = new logs.PanelBuilder()
    .title(title)
    .span(opts.width ?? 24)
    .height(opts.height ?? 12)
    .showTime(true)
    .showLabels(false)
    .showCommonLabels(false)
    .wrapLogMessage(true)
    .prettifyLogMessage(false)
    .enableLogDetails(true)
    .sortOrder(common.LogsSortOrder.Descending)
    .dedupStrategy(common.LogsDedupStrategy.None);
  if (opts.description !== undefined) panel.description(opts.description);
  return withTargets(panel, queries, LOGS_DS);
}

/** A timeseries panel of LogQL metric queries (on `$loki`). */
export function logMetricsPanel(title: string, unit: string, queries: readonly loki.DataqueryBuilder[], opts: TimeseriesOptions = {}): timeseries.PanelBuilder {
  const panel = timeseriesPanel(title, unit, queries, opts);
  return panel.datasource(LOGS_DS);
}

// ---------------------------------------------------------------------------------------------
// Dashboards

/** A row and the panels under it (laid out left to right, wrapping at 24 columns). */
export interface RowSpec {
  readonly title: string;
  readonly panels: readonly Panel[];
}

/** An extra query variable, e.g. `node`: values from `label_values(selector, label)` of `$datasource`. */
export interface QueryVariableSpec {
  readonly name: string;
  readonly label: string;
  /** `label_values(…)` (see {@link labelValues}). */
  readonly query: string;
  /** Multi-select with an All option. @default true */
  readonly multi?: boolean;
}

export interface DashboardOptions {
  readonly tags: readonly string[];
  readonly rows: readonly RowSpec[];
  readonly description?: string;
  /**
   * The `namespace` variable: a single namespace selected by default (`default`), or a
   * multi-select defaulting to All (queries then match `namespace=~"$namespace"`).
   */
  readonly namespace: ({ readonly default: string } | { readonly multi: true }) & {
    /** Where its values come from. @default label_values(up, namespace): the namespaces with scrape targets */
    readonly values?: string;
  };
  /** Adds the multi-select `site` variable (the sites that ship series); its queries select with {@link SITE_SCOPE}. @default false */
  readonly sites?: boolean;
  /** Adds a multi-select `job` variable with this `label_values(…)` query. */
  readonly job?: string;
  /** More query variables, after `namespace` and `job`. */
  readonly variables?: readonly QueryVariableSpec[];
  /** Log dashboards: adds the `loki` datasource variable and a `search` text box. */
  readonly logs?: boolean;
  /** Default of the `datasource` variable. @default DatasourceUid.PROMETHEUS */
  readonly metricsDatasource?: DatasourceUid;
}

function datasourceVariable(name: string, label: string, type: 'prometheus' | 'loki', uid: DatasourceUid): dash.DatasourceVariableBuilder {
  return new dash.DatasourceVariableBuilder(name)
    .label(label)
    .type(type)
    .current({ selected: true, text: DATASOURCE_NAMES[uid], value: uid });
}

function queryVariable(name: string, label: string, query: string, multi: boolean, current?: string): dash.QueryVariableBuilder {
  const v = new dash.QueryVariableBuilder(name)
    .label(label)
    .datasource(METRICS_DS)
    .query(query)
    .definition(query)
    .refresh(dash.VariableRefresh.OnTimeRangeChanged)
    .sort(dash.VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(multi);
  if (multi) {
    // All as a match-anything regex: also matches series without the label (e.g. kubelet targets).
    v.allValue('.*');
  }
  if (current !== undefined) {
    v.current({ selected: true, text: current, value: current });
  } else if (multi) {
    v.current({ selected: true, text: ['All'], value: ['$__all'] });
  }
  return v;
}

/**
 * A dashboard with the stack's conventions: fixed uid, read-only, 30s refresh, last 6 hours,
 * shared tooltips, the standard variables, panel ids numbered in layout order, and a link menu to
 * the stack's other dashboards.
 */
export function dashboard(uid: string, title: string, opts: DashboardOptions): dash.DashboardBuilder {
  const builder = new dash.DashboardBuilder(title)
    .uid(uid)
    .tags([STACK_TAG, ...opts.tags])
    .readonly()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dash.DashboardCursorSync.Tooltip)
    .link(
      new dash.DashboardLinkBuilder('FL observability')
        .type(dash.DashboardLinkType.Dashboards)
        .icon('external link')
        .tooltip('')
        .tags([STACK_TAG])
        .asDropdown(true)
        .targetBlank(false)
        .includeVars(false)
        .keepTime(true),
    );
  if (opts.description !== undefined) {
    builder.description(opts.description);
  }

  builder.withVariable(datasourceVariable(Var.DATASOURCE, 'Metrics', 'prometheus', opts.metricsDatasource ?? DatasourceUid.PROMETHEUS));
  if (opts.logs === true) {
    builder.withVariable(datasourceVariable(Var.LOKI, 'Logs', 'loki', DatasourceUid.LOKI));
  }
  // Fed by the `cluster` external label (set on every series Prometheus remote-writes); All by default.
  builder.withVariable(queryVariable(Var.CLUSTER, 'Cluster', labelValues('up', Var.CLUSTER), true));
  const ns = opts.namespace;
  builder.withVariable(queryVariable(Var.NAMESPACE, 'Namespace', clusterScoped(ns.values ?? labelValues('up', 'namespace')), 'multi' in ns, 'default' in ns ? ns.default : undefined));
  if (opts.sites === true) {
    builder.withVariable(queryVariable(Var.SITE, 'Site', clusterScoped(labelValues('up', Var.SITE)), true));
  }
  if (opts.job !== undefined) {
    builder.withVariable(queryVariable(Var.JOB, 'Job', clusterScoped(opts.job), true));
  }
  for (const v of opts.variables ?? []) {
    builder.withVariable(queryVariable(v.name, v.label, clusterScoped(v.query), v.multi ?? true));
  }
  if (opts.logs === true) {
    builder.withVariable(new dash.TextBoxVariableBuilder(Var.SEARCH).label('Search (regex)').defaultValue('').current({ text: '', value: '' }));
  }

  let id = 1;
  for (const row of opts.rows) {
    builder.withRow(new dash.RowBuilder(row.title).id(id++).collapsed(false));
    for (const panel of row.panels) {
      builder.withPanel(panel.id(id++));
    }
  }
  return builder;
}

/** The dashboard JSON model (plain data: no functions, no undefined; deterministic). */
export function dashboardJson(builder: { build(): dash.Dashboard }): Record<string, unknown> {
  return JSON.parse(JSON.stringify(builder.build())) as Record<string, unknown>;
}

/** A built dashboard for provisioning into a folder. */
export function dashboardDef(builder: { build(): dash.Dashboard }, folder: DashboardFolder): DashboardDef {
  const model = builder.build();
  // JSON.stringify leaves out what dashboardJson's round trip leaves out (undefined, functions).
  const text = `${JSON.stringify(model, null, 2)}\n`;
  let json: Record<string, unknown> | undefined;
  return {
    uid: String(model.uid),
    title: String(model.title),
    folder,
    text,
    get json() {
      return (json ??= JSON.parse(text) as Record<string, unknown>);
    },
  };
}
