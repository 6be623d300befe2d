import { ComponentName } from '../../common/names';
import { parseBytes, parseDuration } from '../../config/values';
import { counterIncreasing } from '../../monitoring/alert-presets';
import { RuleScope, type Mixin, type MixinContext } from '../../monitoring/mixin';
import { RuleGroupBuilder } from '../../monitoring/rules';
import { sel, series } from '../../monitoring/selectors';
import { AGENT_RETRY_MAX_INTERVAL } from '../../common/sites';
import { sitesDashboards } from './sites-dashboards';

const A = ComponentName.VMAGENT;

/**
 * How long a site may deliver nothing before it counts as stopped: its agent's longest wait
 * between two send attempts (a healthy agent delivers within it once the store answers again) plus
 * two scrape intervals (the sites scrape at the central config's interval).
 */
export function siteSilenceSeconds(scrapeInterval: string): number {
  return (parseDuration(AGENT_RETRY_MAX_INTERVAL)! + 2 * parseDuration(scrapeInterval)!) / 1000;
}

/** How far back a site that stopped sending is still remembered (and alerted on). */
const SITE_MEMORY = '1d';

function alerting(ctx: MixinContext): RuleGroupBuilder[] {
  const silence = `${siteSilenceSeconds(ctx.config.scrapeInterval)}s`;
  const up = sel('up', A);
  const site = { site: 'hospital-a' };
  const backlogBytes = parseBytes(ctx.config.vmagent.maxDiskUsage)! / 2;
  return [
    new RuleGroupBuilder('sites.alerts', ctx.catalog, ctx.recorded)
      .alert({
        alert: 'SiteStoppedSending',
        expr: `group by (site) (max_over_time(${up}[${SITE_MEMORY}])) unless group by (site) (max_over_time(${up}[${silence}]))`,
        for: silence,
        severity: 'warning',
        summary: 'A site of the federation stopped sending metrics.',
        description: `Site {{ $labels.site }} has delivered no sample for more than ${silence}.`,
        impact: "The site's FL clients, nodes and GPUs are not watched: its alerts cannot fire and its dashboards stop.",
        mitigation: "Check the site's vmagent (its log, SiteRemoteWriteRetrying after it recovers), its network path and certificate to the central Receive endpoint; its queue keeps what it scraped up to vmagent.maxDiskUsage.",
        test: {
          firing: { series: [{ series: series('up', A, site), values: '1x10' }], at: '30m', labels: site },
          quiet: { series: [{ series: series('up', A, site), values: '1x100' }], at: '30m' },
        },
      })
      .alert(
        counterIncreasing({
          alert: 'SiteRemoteWriteRetrying',
          component: A,
          metric: 'vmagent_remotewrite_retries_count_total',
          by: ['site'],
          example: site,
          severity: 'warning',
          summary: "A site's agent keeps retrying its writes to the central store.",
          description: 'The agent of site {{ $labels.site }} has retried remote writes for 10 minutes.',
          impact: "The site's metrics arrive late; its queue grows towards vmagent.maxDiskUsage.",
          mitigation: "Read the agent's log for the status it gets; check the Receive replicas (ThanosReceiveDown, ThanosReceiveReplicationFailing) and the site's certificate.",
        }),
      )
      .alert({
        alert: 'SiteQueueBacklog',
        expr: `max by (site) (${sel('vmagent_remotewrite_pending_data_bytes', A)}) > ${backlogBytes}`,
        for: '15m',
        severity: 'warning',
        summary: "A site's on-disk queue is more than half full.",
        description: `The agent of site {{ $labels.site }} has held more than ${backlogBytes / 2 ** 20} MiB not yet accepted by the central store for 15 minutes.`,
        impact: 'When the queue reaches vmagent.maxDiskUsage the agent drops its oldest data (SiteDroppingData).',
        mitigation: "Restore the path to the central store, or grow the site's vmagent.storage and vmagent.maxDiskUsage.",
        test: {
          firing: { series: [{ series: series('vmagent_remotewrite_pending_data_bytes', A, site), values: `${backlogBytes * 1.5}x40` }], at: '30m', labels: site },
          quiet: { series: [{ series: series('vmagent_remotewrite_pending_data_bytes', A, site), values: '1024x40' }], at: '30m' },
        },
      })
      .alert({
        alert: 'SiteDroppingData',
        expr: `sum by (site) (rate(${sel('vmagent_remotewrite_packets_dropped_total', A)}[5m])) > 0 or sum by (site) (rate(${sel('vmagent_remotewrite_samples_dropped_total', A)}[5m])) > 0 or sum by (site) (rate(${sel('vm_persistentqueue_bytes_dropped_total', A)}[5m])) > 0`,
        for: '1m',
        severity: 'critical',
        summary: "A site's agent is dropping metrics.",
        description: 'The agent of site {{ $labels.site }} drops data: rejected by the central store, or its queue is full.',
        impact: "The site's metrics are lost for good over the time it drops them.",
        mitigation: "Read the agent's log: a 4xx from Receive (rejected series) needs a config fix; a full queue needs the path to the store restored or a larger vmagent.maxDiskUsage.",
        test: {
          firing: { series: [{ series: series('vmagent_remotewrite_packets_dropped_total', A, { ...site, url: '1:secret-url' }), values: '0+1x40' }], at: '30m', labels: site },
          quiet: { series: [{ series: series('vmagent_remotewrite_packets_dropped_total', A, { ...site, url: '1:secret-url' }), values: '3x40' }], at: '30m' },
        },
      }),
  ];
}

/**
 * The federation's rules: evaluated by Thanos Rule over Thanos Query, where every site's series
 * arrive with their `site` label (a site has no rule evaluator of its own).
 */
export const SITES_MIXIN: Mixin = {
  name: 'sites',
  scope: RuleScope.FEDERATION,
  metrics: [],
  alertingRules: alerting,
  dashboards: sitesDashboards,
};
