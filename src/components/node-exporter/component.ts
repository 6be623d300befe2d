import { LocalRunKind, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ComponentName } from '../../common/names';
import { operatorProvides } from '../../config/schema';
import { resolveImage } from '../../common/workload';
import { NODE_EXPORTER_MIXIN } from './mixin';
import { NodeExporter } from './node-exporter';

/** node-exporter: host metrics of every node. On the host network, so no NetworkPolicy applies to it. */
export const NODE_EXPORTER_COMPONENT: ComponentSpec = {
  id: 'node-exporter',
  chartOrder: 32,
  enabled: (config) => config.nodeExporter.enabled,
  monitored: (config) => config.nodeExporter.enabled || operatorProvides(config, 'nodeExporter'),
  workloads: [
    {
      name: ComponentName.NODE_EXPORTER,
      tier: NamespaceTier.AGENTS,
      local: { kind: LocalRunKind.UNAVAILABLE, reason: 'node_exporter is not among the built tools' },
    },
  ],
  build: (scope, ctx) =>
    new NodeExporter(scope, 'node-exporter', {
      namespace: ctx.namespace(NamespaceTier.AGENTS),
      image: resolveImage('nodeExporter', ctx.config.nodeExporter.image),
      settings: ctx.config.nodeExporter,
    }),
  mixin: NODE_EXPORTER_MIXIN,
};
