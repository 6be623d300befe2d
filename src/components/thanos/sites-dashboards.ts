import { ComponentName } from '../../common/names';
import { DatasourceUid } from '../../monitoring/datasources';
import { dashboard, dashboardDef, DashboardFolder, labelValues, promQuery, statPanel, timeseriesPanel, Unit } from '../../monitoring/dashboard';
import type { DashboardDef, MixinContext } from '../../monitoring/mixin';
import { sel } from '../../monitoring/selectors';

const A = ComponentName.VMAGENT;
/** The sites picked in the `site` variable. */
const SITES = { site: '~$site' };

/** The queries of the Sites dashboard (layout below): every site's agent, as Thanos Query sees it. */
export const SITES_QUERIES = {
  sites: labelValues(sel('up', A), 'site'),
  sending: `count(max by (site) (${sel('up', A, SITES)}))`,
  up: `max by (site) (${sel('up', A, SITES)})`,
  samplesPerSecond: `sum by (site) (rate(${sel('vmagent_remotewrite_rows_pushed_after_relabel_total', A, SITES)}[$__rate_interval]))`,
  backlog: `max by (site) (${sel('vmagent_remotewrite_pending_data_bytes', A, SITES)})`,
  lastSampleAge: `time() - max by (site) (timestamp(${sel('up', A, SITES)}))`,
  flClients: `count by (site) (${sel('up', ComponentName.FL_CLIENT, SITES)} == 1)`,
};

/** The federation's sites: who sends, how much, how far behind, how many FL clients each runs. */
export function sitesDashboards(_ctx: MixinContext): DashboardDef[] {
  const q = SITES_QUERIES;
  const sites = dashboard('fl-sites', 'Sites of the federation', {
    tags: ['federation', 'sites'],
    description: "Every site's agent (vmagent) as the central store sees it: whether it sends, its samples per second, its on-disk queue, the age of its last sample, its FL clients.",
    namespace: { multi: true },
    metricsDatasource: DatasourceUid.THANOS,
    variables: [{ name: 'site', label: 'Site', query: q.sites }],
    rows: [
      {
        title: 'Sites',
        panels: [
          statPanel('Sites sending', Unit.SHORT, [promQuery(q.sending, 'sites', { instant: true })], { width: 6 }),
          timeseriesPanel('Agent up', Unit.SHORT, [promQuery(q.up, '{{site}}')], { width: 9, min: 0, max: 1 }),
          timeseriesPanel('FL clients up', Unit.SHORT, [promQuery(q.flClients, '{{site}}')], { width: 9, min: 0 }),
        ],
      },
      {
        title: 'Delivery',
        panels: [
          timeseriesPanel('Samples sent per second', Unit.PER_SECOND, [promQuery(q.samplesPerSecond, '{{site}}')], { width: 8, min: 0 }),
          timeseriesPanel('Queue backlog (on disk)', Unit.BYTES, [promQuery(q.backlog, '{{site}}')], { width: 8, min: 0 }),
          timeseriesPanel('Age of the last sample', Unit.SECONDS, [promQuery(q.lastSampleAge, '{{site}}')], { width: 8, min: 0 }),
        ],
      },
    ],
  });
  return [dashboardDef(sites, DashboardFolder.STACK)];
}
