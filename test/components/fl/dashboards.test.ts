import { flDashboards } from '../../../src/components/fl/dashboards';
import { DashboardFolder } from '../../../src/monitoring/dashboard';
import { dashboardsProblems } from '../../../src/monitoring/dashboard-check';
import { contextOf, panelsOf, panel, exprsOf, variable } from '../../dashboard-helpers';
import { resolveConfig } from '../../../src/config/loader';
import type { DashboardDef } from '../../../src/monitoring/mixin';

describe('FL dashboards', () => {
  const ctx = contextOf();
  const [overview, clients] = flDashboards(ctx) as [DashboardDef, DashboardDef];

  test('the training overview and the clients dashboards, in the FL Training folder', () => {
    expect(flDashboards(ctx).map((d) => [d.uid, d.title, d.folder])).toEqual([
      ['fl-training-overview', 'FL training overview', DashboardFolder.FL],
      ['fl-clients', 'FL clients', DashboardFolder.FL],
    ]);
  });

  test('no problem: queries parse, metrics are in the catalog, variables defined, rate ranges, ids, units', () => {
    expect(dashboardsProblems(flDashboards(ctx), ctx)).toEqual([]);
    expect(dashboardsProblems(flDashboards(contextOf(resolveConfig(), [])), contextOf(resolveConfig(), []))).toEqual([]);
  });

  test('a site variable (the sites that ship series) scopes every query of both dashboards; All also matches the central series without the label', () => {
    for (const def of [overview, clients]) {
      expect(variable(def, 'site')).toMatchObject({ type: 'query', query: 'label_values(up, site)', multi: true, includeAll: true, allValue: '.*' });
      const unscoped = exprsOf(def).filter((e) => !e.includes('site=~"$site"'));
      expect(unscoped).toEqual([]);
    }
  });

  test('the overview has the seed panels', () => {
    const titles = panelsOf(overview).map((p) => `${p.type}:${p.title}`);
    expect(titles).toEqual(
      expect.arrayContaining([
        'timeseries:Loss',
        'timeseries:Accuracy',
        'stat:Best accuracy',
        'stat:Active clients',
        'timeseries:Active vs connected clients',
        'timeseries:Round duration p95',
        'timeseries:Rounds completed and failed',
        'stat:Rounds completed',
        'stat:Rounds failed',
        'timeseries:Samples per round',
        'stat:Current round',
        'timeseries:Client failures by phase',
        'timeseries:Model parameters',
        'stat:Training',
      ]),
    );
    const metrics = exprsOf(overview).join('\n');
    for (const m of [
      'fl_train_loss',
      'fl_eval_loss',
      'fl_accuracy',
      'fl_best_accuracy',
      'fl_active_clients',
      'fl_total_clients',
      'fl_rounds_completed_total',
      'fl_rounds_failed_total',
      'fl_samples_per_round',
      'fl_current_round',
      'fl_client_failures_total',
      'fl_model_parameters',
      'fl_training_info',
    ]) {
      expect(metrics).toContain(`${m}{job="fl-server", namespace="$namespace", site=~"$site"}`);
    }
  });

  test('loss panel: training and evaluation loss with explicit legends', () => {
    expect(panel(overview, 'Loss').targets!.map((t) => [t.expr, t.legendFormat])).toEqual([
      ['max(fl_train_loss{job="fl-server", namespace="$namespace", site=~"$site"})', 'training loss'],
      ['max(fl_eval_loss{job="fl-server", namespace="$namespace", site=~"$site"})', 'evaluation loss'],
    ]);
  });

  test('round duration p95 uses the recorded series when some mixin records it', () => {
    expect(panel(overview, 'Round duration p95').targets![0]!.expr).toBe('max(namespace:fl_round_duration_seconds:p95{namespace="$namespace", site=~"$site"})');
    const [fallback] = flDashboards(contextOf(resolveConfig(), [])) as [DashboardDef];
    expect(panel(fallback, 'Round duration p95').targets![0]!.expr).toBe(
      'histogram_quantile(0.95, sum by (le, namespace) (rate(fl_round_duration_seconds_bucket{job="fl-server", namespace="$namespace", site=~"$site"}[$__rate_interval])))',
    );
  });

  test('client failures are counted per phase and interval', () => {
    expect(panel(overview, 'Client failures by phase').targets![0]).toMatchObject({
      expr: 'sum by (phase) (increase(fl_client_failures_total{job="fl-server", namespace="$namespace", site=~"$site"}[$__rate_interval]))',
      legendFormat: '{{phase}}',
    });
  });

  test('training info shows strategy and model by name', () => {
    expect(panel(overview, 'Training').targets![0]!.legendFormat).toBe('{{strategy}} / {{model}}');
  });

  test('thresholds come from the config', () => {
    const config = resolveConfig({ overrides: { thresholds: { accuracyMin: 0.7, roundDurationP95Seconds: 120 } } });
    const [o] = flDashboards(contextOf(config)) as [DashboardDef];
    expect(panel(o, 'Accuracy').fieldConfig!.defaults!.thresholds!.steps).toEqual([
      { value: null, color: 'red' },
      { value: 0.7, color: 'green' },
    ]);
    expect(panel(o, 'Round duration p95').fieldConfig!.defaults!.thresholds!.steps[1]).toEqual({ value: 120, color: 'red' });
    expect(panel(o, 'Accuracy').fieldConfig!.defaults!.unit).toBe('percentunit');
  });

  test('the namespace variable defaults to the training namespace', () => {
    const config = resolveConfig({ overrides: { namespaces: { training: 'my-training' } } });
    for (const d of flDashboards(contextOf(config))) {
      expect(variable(d, 'namespace')).toMatchObject({ type: 'query', query: 'label_values(up, namespace)', current: { value: 'my-training' } });
    }
  });

  test('client panels are per client (pod and client_index), filtered by the client variable', () => {
    expect(variable(clients, 'client')).toMatchObject({
      type: 'query',
      multi: true,
      query: 'label_values(fl_client_rounds_total{job="fl-client", namespace="$namespace", site=~"$site"}, pod)',
    });
    for (const title of ['Client training loss', 'Client accuracy', 'Fit rate', 'Samples rate', 'Fit duration p95']) {
      const t = panel(clients, title).targets![0]!;
      expect(t.legendFormat).toBe('client {{client_index}} ({{pod}})');
      expect(t.expr).toContain('by (');
      expect(t.expr).toMatch(/pod, client_index\) \(/);
      expect(t.expr).toContain('{job="fl-client", namespace="$namespace", pod=~"$client", site=~"$site"}');
    }
    expect(panel(clients, 'Fit rate').targets![0]!.expr).toContain('rate(fl_client_rounds_total{');
    expect(panel(clients, 'Samples rate').targets![0]!.expr).toContain('rate(fl_client_samples_total{');
    expect(panel(clients, 'Fit duration p95').targets![0]!.expr).toBe(
      'histogram_quantile(0.95, sum by (le, pod, client_index) (rate(fl_client_fit_duration_seconds_bucket{job="fl-client", namespace="$namespace", pod=~"$client", site=~"$site"}[$__rate_interval])))',
    );
  });
});
