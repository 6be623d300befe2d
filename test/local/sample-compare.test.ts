/**
 * The fault suite's sample comparison (test/faults/measure.ts) against a deduplicating copy: a sample
 * counts as lost only when the copy lacks the sample its deduplication would have kept.
 */
import { compareSamples, dedupedTimes } from '../faults/measure';

describe('compareSamples with VictoriaMetrics-style deduplication', () => {
  // A target scraped on a 5 s grid 2 ms before each window end; one scrape runs 9 ms late and crosses
  // the window's end, so it shares the window (20 s, 25 s] with the next one.
  const times = [14_998, 20_007, 24_998, 29_998];

  test('keeps the last sample of each (k-1)·interval < t ≤ k·interval window', () => {
    expect(dedupedTimes(times, 5000)).toEqual([14_998, 24_998, 29_998]);
    // A sample on a window's end belongs to the window it ends.
    expect(dedupedTimes([15_000, 15_001, 20_000], 5000)).toEqual([15_000, 20_000]);
  });

  test('the deduplicated-away sample is not lost; any other missing sample is', () => {
    const reference = new Map([['up', times]]);
    expect(compareSamples(reference, new Map([['up', [14_998, 24_998, 29_998]]])).missing).toBe(1);
    const deduped = compareSamples(reference, new Map([['up', [14_998, 24_998, 29_998]]]), { dedupIntervalMs: 5000 });
    expect(deduped).toMatchObject({ series: 1, samples: 3, missing: 0, extra: 0 });
    const lost = compareSamples(reference, new Map([['up', [14_998, 20_007, 29_998]]]), { dedupIntervalMs: 5000 });
    expect(lost).toMatchObject({ samples: 3, missing: 1, extra: 0 });
    expect(lost.examples).toEqual(['up: 1 of 3 missing (first at 1970-01-01T00:00:24.998Z)']);
  });
});
