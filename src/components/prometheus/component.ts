import { ANYWHERE, LocalRunKind, LocalStartPhase, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { prometheusFileValues } from './config';
import { PROMETHEUS_PROBE } from './health';
import { PROMETHEUS_MIXIN } from './mixin';
import { Prometheus } from './prometheus';

/** Prometheus: scrapes the stack and the FL workload, evaluates every rule file, remote-writes to the long-term store. */
export const PROMETHEUS_COMPONENT: ComponentSpec = {
  id: 'prometheus',
  chartOrder: 20,
  enabled: (config) => config.prometheus.enabled,
  workloads: [
    {
      name: ComponentName.PROMETHEUS,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.prometheus,
      persistentVolume: true,
      ui: true,
      ingress: [{ port: Ports.prometheus, from: [ComponentName.PROMETHEUS, ComponentName.GRAFANA, ANYWHERE] }],
      local: {
        kind: LocalRunKind.TOOL,
        binary: 'prometheus',
        container: 'prometheus',
        phase: LocalStartPhase.PIPELINE,
        configKey: 'prometheus.yml',
        listenFlags: { 'web.listen-address': Ports.prometheus },
      },
    },
  ],
  build: (scope, ctx) =>
    new Prometheus(scope, 'prometheus', {
      ...prometheusFileValues(ctx.config, ctx.topology),
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('prometheus', ctx.config.prometheus.image),
      endpoint: ctx.topology.endpoint(ComponentName.PROMETHEUS),
      ruleFiles: ctx.ruleFiles,
    }),
  mixin: PROMETHEUS_MIXIN,
  probes: [PROMETHEUS_PROBE],
};
