import { LocalRunKind, LocalStartPhase, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { otelCollectorFileValues } from './config';
import { OTEL_COLLECTOR_MIXIN } from './mixin';
import { OtelCollector } from './otel-collector';

/** The OpenTelemetry Collector as the node log agent: pod logs on every node into Loki over OTLP. */
export const OTEL_COLLECTOR_COMPONENT: ComponentSpec = {
  id: 'otel-collector',
  chartOrder: 35,
  enabled: (config) => config.otelCollector.enabled,
  workloads: [
    {
      name: ComponentName.OTEL_COLLECTOR,
      tier: NamespaceTier.AGENTS,
      ingress: [{ port: Ports.otelCollectorMetrics, from: [ComponentName.PROMETHEUS] }],
      local: { kind: LocalRunKind.TOOL, binary: 'otelcol', container: 'otel-collector', phase: LocalStartPhase.PIPELINE, configKey: 'config.yaml' },
    },
  ],
  build: (scope, ctx) =>
    new OtelCollector(scope, 'otel-collector', {
      ...otelCollectorFileValues(ctx.config, ctx.topology),
      namespace: ctx.namespace(NamespaceTier.AGENTS),
      image: resolveImage('otelCollector', ctx.config.otelCollector.image),
    }),
  mixin: OTEL_COLLECTOR_MIXIN,
};
