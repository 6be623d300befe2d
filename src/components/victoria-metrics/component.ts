import { LocalRunKind, LocalStartPhase, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { VICTORIA_METRICS_PROBE } from './health';
import { VICTORIA_METRICS_MIXIN } from './mixin';
import { VictoriaMetrics } from './victoria-metrics';

/** VictoriaMetrics (single node): the long-term store Prometheus remote-writes to. */
export const VICTORIA_METRICS_COMPONENT: ComponentSpec = {
  id: 'victoria-metrics',
  chartOrder: 22,
  enabled: (config) => config.victoriaMetrics.enabled,
  workloads: [
    {
      name: ComponentName.VICTORIA_METRICS,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.victoriaMetrics,
      persistentVolume: true,
      ingress: [{ port: Ports.victoriaMetrics, from: [ComponentName.PROMETHEUS, ComponentName.GRAFANA] }],
      local: {
        kind: LocalRunKind.TOOL,
        binary: 'victoria-metrics',
        container: 'victoria-metrics',
        phase: LocalStartPhase.STORAGE,
        listenFlags: { httpListenAddr: Ports.victoriaMetrics },
      },
    },
  ],
  build: (scope, ctx) =>
    new VictoriaMetrics(scope, 'victoria-metrics', {
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('victoriaMetrics', ctx.config.victoriaMetrics.image),
      settings: ctx.config.victoriaMetrics,
      scrapeInterval: ctx.config.scrapeInterval,
    }),
  mixin: VICTORIA_METRICS_MIXIN,
  probes: [VICTORIA_METRICS_PROBE],
};
