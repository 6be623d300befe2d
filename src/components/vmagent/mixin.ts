import type { Mixin } from '../../monitoring/mixin';
import { VMAGENT_METRICS } from './metrics';

/**
 * vmagent's part of the catalog. A site evaluates no rule: its agent's metrics leave the site with
 * every other series, and the central store's rule evaluator alerts on them (the sites mixin of the
 * Thanos family, src/components/thanos/sites-mixin.ts).
 */
export const VMAGENT_MIXIN: Mixin = {
  name: 'vmagent',
  metrics: VMAGENT_METRICS,
};
