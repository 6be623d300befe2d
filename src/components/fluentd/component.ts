import { LocalRunKind, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import versionsJson from '../../versions.json';
import { defaultImage, imageString } from '../../versions';
import { fluentdFileValues } from './config';
import { Fluentd } from './fluentd';
import { FLUENTD_MIXIN } from './mixin';

/** Fluentd: the FL namespaces' logs, parsed, to Loki (or stdout); its image is built with the Loki plugin. */
export const FLUENTD_COMPONENT: ComponentSpec = {
  id: 'fluentd',
  chartOrder: 31,
  enabled: (config) => config.fluentd.enabled,
  workloads: [
    {
      name: ComponentName.FLUENTD,
      tier: NamespaceTier.AGENTS,
      ingress: [{ port: Ports.fluentdMetrics, from: [ComponentName.PROMETHEUS] }],
      local: { kind: LocalRunKind.UNAVAILABLE, reason: 'no Fluentd binary is reachable here (Ruby gems); its config is tested as text' },
    },
  ],
  build: (scope, ctx) =>
    new Fluentd(scope, 'fluentd', {
      ...fluentdFileValues(ctx.config, ctx.topology),
      namespace: ctx.namespace(NamespaceTier.AGENTS),
      image: resolveImage('fluentd', ctx.config.fluentd.image),
    }),
  mixin: FLUENTD_MIXIN,
  images: [
    {
      key: 'fluentd',
      context: 'images/fluentd',
      dockerfile: 'images/fluentd/Dockerfile',
      args: () => ({ BASE_IMAGE: imageString(defaultImage('fluentdBase')), LOKI_PLUGIN_VERSION: versionsJson.fluentdLokiPlugin.version }),
      configPath: ['fluentd', 'image'],
    },
  ],
};
