import { LocalRunKind, LocalStartPhase, NamespaceTier, SCRAPERS, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { VMAGENT_PROBE } from './health';
import { VMAGENT_MIXIN } from './mixin';
import { Vmagent } from './vmagent';

/** vmagent: a site's metrics agent (site profile), remote-writing to the central store. */
export const VMAGENT_COMPONENT: ComponentSpec = {
  id: 'vmagent',
  chartOrder: 27,
  enabled: (config) => config.vmagent.enabled,
  workloads: [
    {
      name: ComponentName.VMAGENT,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.vmagent,
      persistentVolume: true,
      // Scraped by itself (its own series leave the site too).
      ingress: [{ port: Ports.vmagent, from: [...SCRAPERS] }],
      local: {
        kind: LocalRunKind.TOOL,
        binary: 'vmagent',
        container: 'vmagent',
        phase: LocalStartPhase.PIPELINE,
        configKey: 'scrape.yml',
        listenFlags: { httpListenAddr: Ports.vmagent },
      },
    },
  ],
  build: (scope, ctx) =>
    new Vmagent(scope, 'vmagent', {
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('vmagent', ctx.config.vmagent.image),
      config: ctx.config,
      scrapeJobs: ctx.scrapeJobs(),
    }),
  mixin: VMAGENT_MIXIN,
  probes: [VMAGENT_PROBE],
};
