import { LocalRunKind, NamespaceTier, SCRAPERS, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { DcgmExporter } from './dcgm-exporter';
import { DCGM_EXPORTER_MIXIN } from './mixin';

/** NVIDIA DCGM exporter: GPU metrics of the GPU nodes. */
export const DCGM_EXPORTER_COMPONENT: ComponentSpec = {
  id: 'dcgm-exporter',
  chartOrder: 34,
  enabled: (config) => config.dcgmExporter.enabled,
  workloads: [
    {
      name: ComponentName.DCGM_EXPORTER,
      tier: NamespaceTier.AGENTS,
      ingress: [{ port: Ports.dcgmExporter, from: [...SCRAPERS] }],
      local: { kind: LocalRunKind.UNAVAILABLE, reason: 'dcgm-exporter needs an NVIDIA GPU and driver' },
    },
  ],
  build: (scope, ctx) =>
    new DcgmExporter(scope, 'dcgm-exporter', {
      namespace: ctx.namespace(NamespaceTier.AGENTS),
      image: resolveImage('dcgmExporter', ctx.config.dcgmExporter.image),
      settings: ctx.config.dcgmExporter,
      gpu: ctx.config.gpu,
    }),
  mixin: DCGM_EXPORTER_MIXIN,
};
