import { LocalRunKind, NamespaceTier, SCRAPERS, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { operatorProvides } from '../../config/schema';
import { KubeStateMetrics } from './kube-state-metrics';
import { KUBE_STATE_METRICS_MIXIN } from './mixin';

/** kube-state-metrics: the state of the stack's Kubernetes objects as metrics. */
export const KUBE_STATE_METRICS_COMPONENT: ComponentSpec = {
  id: 'kube-state-metrics',
  chartOrder: 33,
  enabled: (config) => config.kubeStateMetrics.enabled,
  monitored: (config) => config.kubeStateMetrics.enabled || operatorProvides(config, 'kubeStateMetrics'),
  workloads: [
    {
      name: ComponentName.KUBE_STATE_METRICS,
      tier: NamespaceTier.MONITORING,
      ingress: [
        { port: Ports.kubeStateMetrics, from: [...SCRAPERS] },
        { port: Ports.kubeStateMetricsTelemetry, from: [...SCRAPERS] },
      ],
      local: { kind: LocalRunKind.UNAVAILABLE, reason: 'kube-state-metrics needs a Kubernetes API server' },
    },
  ],
  build: (scope, ctx) =>
    new KubeStateMetrics(scope, 'kube-state-metrics', {
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('kubeStateMetrics', ctx.config.kubeStateMetrics.image),
      settings: ctx.config.kubeStateMetrics,
    }),
  mixin: KUBE_STATE_METRICS_MIXIN,
};
