import { victoriaMetricsArgs } from '../../../src/components/victoria-metrics/victoria-metrics';
import { resolveConfig } from '../../../src/config/loader';

test('retention from config and dedup at the scrape interval for HA Prometheus', () => {
  const config = resolveConfig({ profile: 'production' });
  expect(victoriaMetricsArgs({ settings: config.victoriaMetrics, scrapeInterval: config.scrapeInterval })).toEqual(expect.arrayContaining(['-retentionPeriod=180d', '-dedup.minScrapeInterval=30s', '-storageDataPath=/storage']));
});
