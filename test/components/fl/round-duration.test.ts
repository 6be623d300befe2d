import { flServerEnv } from '../../../src/components/fl/fl';
import { COMPONENTS } from '../../../src/component-list';
import { flMetrics, ROUND_DURATION } from '../../../src/components/fl/metrics';
import { roundDurationBuckets, roundDurationThresholdSeconds } from '../../../src/components/fl/round-duration';
import { maxRoundSeconds } from '../../../src/config/values';
import { resolveConfig } from '../../../src/config/loader';
import { collectMonitoring } from '../../../src/monitoring/collect';
import { configOf } from '../../helpers';

test.each(['minikube', 'production'] as const)('%s: the round-duration buckets measure up to 2 × fl.roundTimeout and the threshold lies below their top', (profile) => {
  const config = configOf(profile);
  const buckets = flMetrics(config).find((m) => m.name === ROUND_DURATION)!.buckets!;
  const timeout = Number(flServerEnv(config.fl).FL_ROUND_TIMEOUT_SECONDS);
  // A legal round is fit + evaluate, each up to the timeout: the top bucket must reach it.
  expect(Math.max(...buckets)).toBeGreaterThanOrEqual(2 * timeout);
  expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
  expect(roundDurationThresholdSeconds(config)).toBeLessThan(Math.max(...buckets));
});

test('production: 10m per phase gives top buckets 300…1200 s and a 600 s RoundDurationHigh threshold', () => {
  const config = configOf('production');
  expect(roundDurationBuckets(config.fl.roundTimeout)).toEqual([0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1200]);
  expect(roundDurationThresholdSeconds(config)).toBe(600);
  expect(collectMonitoring(config, COMPONENTS).ruleFiles['fl.rules.yaml']).toContain('expr: namespace:fl_round_duration_seconds:p95 > 600');
});

test('the server Deployment passes the catalog buckets, the workload has no list of its own', () => {
  const config = configOf('minikube', { fl: { roundTimeout: '90s' } });
  expect(flServerEnv(config.fl).FL_ROUND_DURATION_BUCKETS).toBe('0.5,1,2.5,5,10,30,45,90,135,180');
  expect(flServerEnv(config.fl).FL_ROUND_DURATION_BUCKETS).toBe(flMetrics(config).find((m) => m.name === ROUND_DURATION)!.buckets!.join(','));
  expect(maxRoundSeconds('90s')).toBe(180);
});

test('a configured threshold is used as it is', () => {
  expect(roundDurationThresholdSeconds(configOf('production', { thresholds: { roundDurationP95Seconds: 900 } }))).toBe(900);
});

test('a threshold the buckets cannot measure is refused at config time, naming both fields', () => {
  expect(() => resolveConfig({ profile: 'production', overrides: { thresholds: { roundDurationP95Seconds: 1200 } } })).toThrow(
    'thresholds.roundDurationP95Seconds 1200 is not below 1200, the top bucket of fl_round_duration_seconds (2 × fl.roundTimeout 10m): the p95 can never exceed it',
  );
});
