import { LocalRunKind, NamespaceTier, type ComponentSpec } from '../component-spec';
import { logAgentPushesToLoki } from '../../common/log-routing';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { LOKI_PROBE } from './health';
import { Loki } from './loki';
import { LOKI_MIXIN } from './mixin';

/** Loki (single binary): the log store the log agents push to. */
export const LOKI_COMPONENT: ComponentSpec = {
  id: 'loki',
  chartOrder: 24,
  enabled: (config) => config.loki.enabled,
  workloads: [
    {
      name: ComponentName.LOKI,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.loki,
      persistentVolume: true,
      ingress: [
        {
          port: Ports.loki,
          from: [ComponentName.PROMETHEUS, ComponentName.GRAFANA, ComponentName.PROMTAIL, ComponentName.OTEL_COLLECTOR, ComponentName.FLUENTD],
        },
      ],
      local: {
        kind: LocalRunKind.UNAVAILABLE,
        reason: 'Loki (github.com/grafana/loki/v3) is AGPL and is not built or run here; VictoriaLogs receives what is sent to its Service',
      },
    },
  ],
  build: (scope, ctx) =>
    new Loki(scope, 'loki', {
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('loki', ctx.config.loki.image),
      settings: ctx.config.loki,
    }),
  mixin: LOKI_MIXIN,
  probes: [LOKI_PROBE],
  warnings: (config) => (!config.loki.enabled && logAgentPushesToLoki(config) ? ['loki is disabled but a log agent ships to it: its pushes will fail'] : []),
};
