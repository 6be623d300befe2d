import { LocalRunKind, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { nodeLogShipping } from '../../common/log-agent';
import { resolveImage } from '../../common/workload';
import { PROMTAIL_MIXIN } from './mixin';
import { Promtail } from './promtail';

/** Promtail (end-of-life, kept as the alternative log agent): tails pod logs on every node into Loki. */
export const PROMTAIL_COMPONENT: ComponentSpec = {
  id: 'promtail',
  chartOrder: 30,
  enabled: (config) => config.promtail.enabled,
  workloads: [
    {
      name: ComponentName.PROMTAIL,
      tier: NamespaceTier.AGENTS,
      ingress: [{ port: Ports.promtail, from: [ComponentName.PROMETHEUS] }],
      local: { kind: LocalRunKind.UNAVAILABLE, reason: 'Promtail is built from the AGPL Loki module and is not built or run here' },
    },
  ],
  build: (scope, ctx) =>
    new Promtail(scope, 'promtail', {
      namespace: ctx.namespace(NamespaceTier.AGENTS),
      image: resolveImage('promtail', ctx.config.promtail.image),
      settings: ctx.config.promtail,
      shipping: nodeLogShipping(ctx.config, ctx.topology),
    }),
  mixin: PROMTAIL_MIXIN,
  warnings: (config) => (config.promtail.enabled ? [Promtail.DEPRECATION] : []),
};
