import { existsSync, readFileSync } from 'node:fs';
import { COMPONENTS, deployedWorkloads } from '../../src/component-list';
import { fullCatalog } from '../../src/monitoring/collect';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { DatasourceUid } from '../../src/monitoring/datasources';
import { prometheusDashboards } from '../../src/components/prometheus/dashboards';
import { TRAINING_JOBS_UID } from '../../src/components/kube-state-metrics/training-jobs';
import { resolveConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import {
  dashboard,
  dashboardDef,
  DashboardFolder,
  dashboardJson,
  defaultMetricsDatasource,
  logMetricsPanel,
  logsPanel,
  lokiQuery,
  promQuery,
  recordedSel,
  statPanel,
  streamSel,
  timeseriesPanel,
  Unit,
  type Query,
} from '../../src/monitoring/dashboard';
import { dashboardProblems, dashboardsProblems, promqlUsageProblems, referencedVariables } from '../../src/monitoring/dashboard-check';
import type { DashboardDef, MixinContext } from '../../src/monitoring/mixin';
import { parseLogQL, parsePromQL, vectorSelectors } from '../../src/monitoring/promql';

const CATALOG = fullCatalog(COMPONENTS);
const RECORDED = new Set(['namespace:fl_round_duration_seconds:p95']);

function contextOf(config: StackConfig = resolveConfig()): MixinContext {
  return { config, catalog: CATALOG, recorded: RECORDED, deployed: deployedWorkloads(config) };
}

/** Every dashboard of the stack (each mixin's, regardless of whether its component is enabled). */
function allDashboards(ctx: MixinContext): DashboardDef[] {
  return COMPONENTS.flatMap((c) => c.mixin?.dashboards?.(ctx) ?? []);
}

interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}
interface PanelJson {
  id?: number;
  type: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: PanelJson[];
  options?: Record<string, unknown>;
  fieldConfig?: { defaults?: { unit?: string; custom?: Record<string, unknown> } };
}
interface VariableJson {
  name: string;
  type: string;
  query?: unknown;
  current?: { value?: unknown };
  multi?: boolean;
  includeAll?: boolean;
  datasource?: { type?: string; uid?: string };
}

function panelsOf(def: DashboardDef): PanelJson[] {
  const flat = (ps: PanelJson[]): PanelJson[] => ps.flatMap((p) => [p, ...flat(p.panels ?? [])]);
  return flat((def.json.panels ?? []) as PanelJson[]);
}
function targetsOf(def: DashboardDef): { panel: PanelJson; target: Target }[] {
  return panelsOf(def).flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));
}
function variablesOf(def: DashboardDef): VariableJson[] {
  return ((def.json.templating as { list?: VariableJson[] }).list ?? []) as VariableJson[];
}

// ------------------------------------------------------------------------------------------------
// JSON Schemas (../shared beside the clone, as in CI)

const SCHEMA_DIR = path.resolve(__dirname, '../../../shared/schemas/grafana');
const SCHEMA_FILES = ['dashboard', 'prometheus', 'stat', 'timeseries'] as const;

function loadValidators(): Record<string, ValidateFunction> {
  const missing = SCHEMA_FILES.map((f) => path.join(SCHEMA_DIR, `${f}.jsonschema.json`)).filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(
      `Grafana JSON Schemas not found: ${missing.join(', ')}. The tests expect the shared schemas in ../shared/schemas/grafana beside the repository (as CI checks them out).`,
    );
  }
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  for (const f of SCHEMA_FILES) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, `${f}.jsonschema.json`), 'utf8')) as object, f);
  }
  const get = (ref: string): ValidateFunction => {
    const v = ajv.getSchema(ref);
    if (v === undefined) {
      throw new Error(`no schema ${ref}`);
    }
    return v;
  };
  return {
    dashboard: get('dashboard'),
    prometheusQuery: get('prometheus'),
    statOptions: get('stat#/definitions/Options'),
    timeseriesOptions: get('timeseries#/definitions/Options'),
    timeseriesFieldConfig: get('timeseries#/definitions/FieldConfig'),
  };
}

function schemaErrors(validate: ValidateFunction, data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Schema problems of one dashboard: the dashboard itself, Prometheus targets, stat and timeseries options. */
function schemaProblems(v: Record<string, ValidateFunction>, def: DashboardDef): string[] {
  const problems = schemaErrors(v.dashboard!, def.json).map((e) => `dashboard ${def.uid}: ${e}`);
  for (const panel of panelsOf(def)) {
    const where = `dashboard ${def.uid}, panel ${panel.id} "${panel.title}"`;
    for (const t of panel.targets ?? []) {
      if (t.datasource?.type === 'prometheus') {
        problems.push(...schemaErrors(v.prometheusQuery!, t).map((e) => `${where}, target ${t.refId}: ${e}`));
      }
    }
    if (panel.type === 'stat') {
      problems.push(...schemaErrors(v.statOptions!, panel.options).map((e) => `${where}, options: ${e}`));
    }
    if (panel.type === 'timeseries') {
      problems.push(...schemaErrors(v.timeseriesOptions!, panel.options).map((e) => `${where}, options: ${e}`));
      problems.push(...schemaErrors(v.timeseriesFieldConfig!, panel.fieldConfig?.defaults?.custom).map((e) => `${where}, fieldConfig.defaults.custom: ${e}`));
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------

const CONFIGS: Record<string, StackConfig> = {
  'default (minikube)': resolveConfig(),
  production: resolveConfig({ profile: 'production' }),
  'optional components disabled': resolveConfig({
    overrides: {
      victoriaMetrics: { enabled: false },
      alertmanager: { enabled: false },
      fluentd: { enabled: false },
      otelCollector: { enabled: false },
      loki: { enabled: false },
    },
  }),
};

describe.each(Object.entries(CONFIGS))('all dashboards, config %s', (_name, config) => {
  const ctx = contextOf(config);
  const defs = allDashboards(ctx);

  test('there are the eight dashboards, in their folders', () => {
    expect(defs.map((d) => [d.uid, d.folder])).toEqual([
      ['fl-training-overview', DashboardFolder.FL],
      ['fl-clients', DashboardFolder.FL],
      ['fl-gpus', DashboardFolder.INFRASTRUCTURE],
      ['fl-cluster-resources', DashboardFolder.INFRASTRUCTURE],
      // Its uid is the one the 3-tier training monitor guide embeds.
      [TRAINING_JOBS_UID, DashboardFolder.FL],
      ['fl-stack-health', DashboardFolder.STACK],
      ['fl-logs', DashboardFolder.LOGS],
      // The central profile's (Thanos Rule's mixin): the sites of the federation, over Thanos Query.
      ['fl-sites', DashboardFolder.STACK],
    ]);
  });

  test('no dashboard problem (parse, catalog, variables, rate ranges, refIds, datasources, ids, units, legends, uids)', () => {
    expect(dashboardsProblems(defs, ctx)).toEqual([]);
  });

  test('every PromQL and LogQL expression parses', () => {
    for (const def of defs) {
      for (const { target } of targetsOf(def)) {
        const parsed = target.datasource?.type === 'loki' ? parseLogQL(target.expr!) : parsePromQL(target.expr!);
        expect({ uid: def.uid, expr: target.expr, errors: parsed.errors }).toEqual({ uid: def.uid, expr: target.expr, errors: [] });
      }
    }
  });

  test('every metric of a PromQL query is in the catalog or recorded', () => {
    for (const def of defs) {
      for (const { target } of targetsOf(def).filter((t) => t.target.datasource?.type === 'prometheus')) {
        const unknown = parsePromQL(target.expr!).metrics.filter((m) => CATALOG.lookup(m) === undefined && !RECORDED.has(m));
        expect({ expr: target.expr, unknown }).toEqual({ expr: target.expr, unknown: [] });
      }
    }
  });

  test('every $variable of a query is defined by the dashboard or built in', () => {
    for (const def of defs) {
      const defined = new Set(['__rate_interval', '__interval', '__range', ...variablesOf(def).map((v) => v.name)]);
      for (const { target } of targetsOf(def)) {
        const texts = [target.expr!, target.datasource?.uid ?? ''];
        const undefinedVars = texts.flatMap(referencedVariables).filter((v) => !defined.has(v));
        expect({ uid: def.uid, expr: target.expr, undefinedVars }).toEqual({ uid: def.uid, expr: target.expr, undefinedVars: [] });
      }
    }
  });

  test('every rate()/increase() range is [$__rate_interval]', () => {
    let seen = 0;
    for (const def of defs) {
      for (const { target } of targetsOf(def).filter((t) => t.target.datasource?.type === 'prometheus')) {
        const ranges = [...target.expr!.matchAll(/\b(?:rate|increase)\((?:[^()[\]]|\([^()]*\))*\[([^\]]*)\]/g)].map((m) => m[1]);
        for (const range of ranges) {
          expect({ expr: target.expr, range }).toEqual({ expr: target.expr, range: '$__rate_interval' });
        }
        seen += ranges.length;
        expect(promqlUsageProblems(target.expr!, ctx)).toEqual([]);
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  test('dashboard uids are unique; panel ids are unique within a dashboard', () => {
    expect(new Set(defs.map((d) => d.uid)).size).toBe(defs.length);
    for (const def of defs) {
      const ids = panelsOf(def).map((p) => p.id);
      expect(ids.every((id) => typeof id === 'number')).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  test('every target has a refId (unique in its panel) and a datasource variable ref', () => {
    for (const def of defs) {
      for (const panel of panelsOf(def)) {
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(refIds.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const t of panel.targets ?? []) {
          expect(t.datasource).toEqual(
            t.datasource?.type === 'loki' ? { type: 'loki', uid: '${loki}' } : { type: 'prometheus', uid: '${datasource}' },
          );
        }
      }
    }
  });

  test('every panel but rows, text and logs has a unit; every Prometheus target a legend', () => {
    for (const def of defs) {
      for (const panel of panelsOf(def).filter((p) => !['row', 'text', 'logs'].includes(p.type))) {
        expect({ panel: panel.title, unit: panel.fieldConfig?.defaults?.unit ?? '' }).toEqual({ panel: panel.title, unit: expect.stringMatching(/.+/) });
      }
      for (const { target } of targetsOf(def).filter((t) => t.target.datasource?.type === 'prometheus')) {
        expect(target.legendFormat).toEqual(expect.stringMatching(/.+/));
      }
    }
  });

  test('panels lie on the 24-column grid without overlapping', () => {
    for (const def of defs) {
      const cells = new Set<string>();
      for (const p of panelsOf(def)) {
        const g = p.gridPos!;
        expect(g.x + g.w).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            const cell = `${x},${y}`;
            expect({ uid: def.uid, panel: p.title, overlaps: cells.has(cell) }).toEqual({ uid: def.uid, panel: p.title, overlaps: false });
            cells.add(cell);
          }
        }
      }
    }
  });

  test('standard settings and variables', () => {
    for (const def of defs) {
      expect(def.json).toMatchObject({
        uid: def.uid,
        title: def.title,
        editable: false,
        refresh: '30s',
        time: { from: 'now-6h', to: 'now' },
        graphTooltip: 2,
      });
      expect(def.json.tags).toContain('fl-observability');
      const vars = variablesOf(def);
      const ds = vars.find((v) => v.name === 'datasource')!;
      // The Sites dashboard reads every site's series: Thanos Query's.
      expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus', current: { value: def.uid === 'fl-sites' ? 'thanos' : defaultMetricsDatasource(config) } });
      // Every dashboard selects one cluster's series of a central store (All: also series without the label).
      const cluster = vars.find((v) => v.name === 'cluster')!;
      expect(cluster).toMatchObject({ type: 'query', query: 'label_values(up, cluster)', multi: true, includeAll: true, allValue: '.*', current: { value: ['$__all'] } });
      const ns = vars.find((v) => v.name === 'namespace')!;
      // The training jobs' namespaces are those with Jobs (training pods need not be scrape targets).
      const nsQuery = def.uid === TRAINING_JOBS_UID ? 'kube_job_info{job="kube-state-metrics", namespace=~"fl-training", cluster=~"$cluster"}' : 'up{cluster=~"$cluster"}';
      expect(ns).toMatchObject({ type: 'query', query: `label_values(${nsQuery}, namespace)`, datasource: { type: 'prometheus', uid: '${datasource}' } });
      expect(vars.map((v) => v.name).indexOf('cluster')).toBeLessThan(vars.map((v) => v.name).indexOf('namespace'));
      // Every PromQL query (and query variable but the cluster's own) is scoped to $cluster.
      for (const { target } of targetsOf(def).filter((t) => t.target.datasource?.type === 'prometheus')) {
        for (const selector of vectorSelectors(target.expr!.replace(/\$__rate_interval/g, '5m'))) {
          expect(selector).toContain('cluster=~"$cluster"');
        }
      }
      for (const v of vars.filter((x) => x.type === 'query' && x.name !== 'cluster')) {
        expect(String(v.query)).toContain('cluster=~"$cluster"');
      }
      const usesLoki = targetsOf(def).some((t) => t.target.datasource?.type === 'loki');
      expect(vars.some((v) => v.name === 'loki' && v.type === 'datasource' && v.query === 'loki')).toBe(usesLoki);
    }
  });

  test('the JSON is plain and deterministic', () => {
    const again = allDashboards(contextOf(config));
    expect(again.map((d) => d.json)).toEqual(defs.map((d) => d.json));
    for (const def of defs) {
      expect(JSON.parse(JSON.stringify(def.json))).toEqual(def.json);
      expect(JSON.stringify(def.json)).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    }
  });

  test('every dashboard validates against the Grafana JSON Schemas (dashboard, prometheus query, stat, timeseries)', () => {
    const validators = loadValidators();
    for (const def of defs) {
      expect(schemaProblems(validators, def)).toEqual([]);
    }
  });
});

describe('the stack health dashboard follows the config', () => {
  test('one volume panel per enabled PVC-backed component, its threshold from the config', () => {
    const volumes = (config: StackConfig) => panelsOf(prometheusDashboards(contextOf(config))[0]!).filter((p) => p.title?.startsWith('Volume used: ') === true).map((p) => p.title);
    expect(volumes(CONFIGS['default (minikube)']!)).toEqual(['Volume used: prometheus', 'Volume used: grafana', 'Volume used: loki', 'Volume used: alertmanager', 'Volume used: victoria-metrics']);
  });

  test('rows of disabled components are left out', () => {
    const titles = (config: StackConfig) => panelsOf(prometheusDashboards(contextOf(config))[0]!).filter((p) => p.type === 'row').map((p) => p.title);
    expect(titles(CONFIGS['default (minikube)']!)).toEqual(['Scrape targets', 'Prometheus', 'Alertmanager', 'Loki', 'VictoriaMetrics', 'Volumes', 'Log agents']);
    expect(titles(CONFIGS['optional components disabled']!)).toEqual(['Scrape targets', 'Prometheus', 'Volumes']);
  });
});

// ------------------------------------------------------------------------------------------------
// The presets

describe('presets', () => {
  const ctx = contextOf();

  function oneDashboard(queries: Query[], panel: 'timeseries' | 'stat' = 'timeseries') {
    const p = panel === 'stat' ? statPanel('Stat', Unit.NONE, queries) : timeseriesPanel('Series', Unit.SECONDS, queries);
    return dashboardJson(dashboard('test-dashboard', 'Test', { tags: ['test'], namespace: { default: 'ns' }, rows: [{ title: 'Row', panels: [p] }] }));
  }

  test('promQuery: code mode, legend, datasource variable; refIds A, B, … in panel order', () => {
    const json = oneDashboard([promQuery('up', 'first'), promQuery('up', 'second', { instant: true })]);
    const panel = (json.panels as PanelJson[])[1]!;
    expect(panel.targets).toEqual([
      { expr: 'up{cluster=~"$cluster"}', legendFormat: 'first', editorMode: 'code', range: true, instant: false, refId: 'A', datasource: { type: 'prometheus', uid: '${datasource}' } },
      { expr: 'up{cluster=~"$cluster"}', legendFormat: 'second', editorMode: 'code', range: false, instant: true, refId: 'B', datasource: { type: 'prometheus', uid: '${datasource}' } },
    ]);
    expect(panel.fieldConfig?.defaults?.unit).toBe('s');
  });

  test('lokiQuery targets the loki datasource variable; a log dashboard defines it and a search box', () => {
    const json = dashboardJson(
      dashboard('logs-test', 'Logs test', {
        tags: [],
        namespace: { default: 'ns' },
        logs: true,
        rows: [{ title: 'Logs', panels: [logsPanel('Lines', [lokiQuery('{app="x"}')]), logMetricsPanel('Rate', Unit.SHORT, [lokiQuery('sum(count_over_time({app="x"}[$__interval]))', 'n')])] }],
      }),
    );
    const panels = json.panels as PanelJson[];
    expect(panels[1]!.targets![0]).toMatchObject({ expr: '{app="x"}', refId: 'A', datasource: { type: 'loki', uid: '${loki}' } });
    expect(panels[2]!.targets![0]).toMatchObject({ legendFormat: 'n', datasource: { type: 'loki', uid: '${loki}' } });
    const names = ((json.templating as { list: VariableJson[] }).list).map((v) => `${v.type}:${v.name}`);
    expect(names).toEqual(['datasource:datasource', 'datasource:loki', 'query:cluster', 'query:namespace', 'textbox:search']);
    expect(dashboardProblems(json, ctx)).toEqual([]);
  });

  test('dashboard: job and extra variables are multi-select with All as .*, namespace may be too', () => {
    const json = dashboardJson(
      dashboard('vars-test', 'Vars', {
        tags: [],
        namespace: { multi: true },
        job: 'label_values(up, job)',
        variables: [{ name: 'node', label: 'Node', query: 'label_values(node_load1, node)' }],
        rows: [],
      }),
    );
    const vars = (json.templating as { list: (VariableJson & { allValue?: string })[] }).list;
    expect(vars.map((v) => [v.name, v.multi, v.includeAll, v.allValue])).toEqual([
      ['datasource', false, false, undefined],
      ['cluster', true, true, '.*'],
      ['namespace', true, true, '.*'],
      ['job', true, true, '.*'],
      ['node', true, true, '.*'],
    ]);
  });

  test('the metrics datasource default is VictoriaMetrics only without Prometheus', () => {
    expect(defaultMetricsDatasource(resolveConfig())).toBe(DatasourceUid.PROMETHEUS);
    expect(defaultMetricsDatasource(resolveConfig({ overrides: { prometheus: { enabled: false } } }))).toBe(DatasourceUid.VICTORIA_METRICS);
  });

  test('recordedSel and streamSel write matchers like sel()', () => {
    expect(recordedSel('a:b:c')).toBe('a:b:c');
    expect(recordedSel('a:b:c', { namespace: '$namespace', pod: '~x.*' })).toBe('a:b:c{namespace="$namespace", pod=~"x.*"}');
    expect(streamSel({ namespace: '$namespace', app: '~fl-.*' })).toBe('{app=~"fl-.*", namespace="$namespace"}');
  });

  test('a panel takes 1 to 26 queries', () => {
    expect(() => timeseriesPanel('none', Unit.SHORT, [])).toThrow(/1 to 26/);
  });

  test('dashboardDef carries uid, title and folder', () => {
    const def = dashboardDef(dashboard('x-uid', 'X title', { tags: [], namespace: { default: 'ns' }, rows: [] }), DashboardFolder.STACK);
    expect([def.uid, def.title, def.folder]).toEqual(['x-uid', 'X title', 'Observability Stack']);
  });
});

// ------------------------------------------------------------------------------------------------
// The schemas can fail (the checks' own failures: test/monitoring/dashboard-check.test.ts)

describe('the JSON Schemas report what is wrong', () => {
  test('the dashboard schema rejects unknown keys and wrong types', () => {
    const v = loadValidators();
    const def = dashboardDef(dashboard('schema-neg', 'S', { tags: [], namespace: { default: 'ns' }, rows: [] }), DashboardFolder.STACK);
    expect(schemaProblems(v, def)).toEqual([]);
    expect(schemaProblems(v, { ...def, json: { ...def.json, notAKey: true } })).toContainEqual(expect.stringContaining('must NOT have additional properties'));
    expect(schemaProblems(v, { ...def, json: { ...def.json, refresh: 30 } })).toContainEqual(expect.stringContaining('/refresh must be string'));
  });
});
