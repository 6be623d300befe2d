import { maxRoundSeconds, roundTimeoutSeconds } from '../../config/values';

/**
 * How long a federated round may legally take, and the histogram buckets and alert threshold that
 * follow from it. `fl.roundTimeout` bounds each phase of a round (fit, then evaluate), so a round
 * that completes takes at most 2 × roundTimeout: the top bucket is exactly that, and the p95 can be
 * read up to it.
 */

/** Buckets that resolve fast rounds (small models, a few clients), seconds; kept where below the top buckets. */
const FAST_ROUND_BUCKETS: readonly number[] = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** The top buckets, as fractions of the longest legal round. */
const TOP_BUCKET_FRACTIONS: readonly number[] = [0.25, 0.5, 0.75, 1];
/** The buckets of `fl_round_duration_seconds` for this timeout: fast-round buckets, then the top ones up to the longest legal round. */
export function roundDurationBuckets(roundTimeout: string): number[] {
  const max = maxRoundSeconds(roundTimeout);
  const top = TOP_BUCKET_FRACTIONS.map((f) => f * max);
  return [...FAST_ROUND_BUCKETS.filter((b) => b < top[0]), ...top];
}

/**
 * RoundDurationHigh's threshold, seconds: `thresholds.roundDurationP95Seconds`, by default one
 * round timeout (rounds whose p95 takes a full phase timeout are close to losing clients to it).
 */
export function roundDurationThresholdSeconds(config: { readonly fl: { readonly roundTimeout: string }; readonly thresholds: { readonly roundDurationP95Seconds?: number } }): number {
  return config.thresholds.roundDurationP95Seconds ?? roundTimeoutSeconds(config.fl.roundTimeout);
}
