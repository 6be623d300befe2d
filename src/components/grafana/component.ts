import { ingressUrl } from '../../common/ingress';
import { UI_ACCESS, LocalRunKind, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { datasourceValues, datasourcesNeedWebTlsCa } from './config';
import { Grafana } from './grafana';
import { GRAFANA_PROBE } from './health';

/** Grafana: the datasources of the stack and every enabled mixin's dashboards, provisioned. */
export const GRAFANA_COMPONENT: ComponentSpec = {
  id: 'grafana',
  chartOrder: 23,
  enabled: (config) => config.grafana.enabled,
  workloads: [
    {
      name: ComponentName.GRAFANA,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.grafana,
      persistentVolume: true,
      ui: true,
      ingress: [{ port: Ports.grafana, from: [ComponentName.PROMETHEUS, UI_ACCESS] }],
      local: { kind: LocalRunKind.UNAVAILABLE, reason: 'no Grafana binary is built here; its PromQL panel queries run directly against Prometheus' },
    },
  ],
  build: (scope, ctx) => {
    const datasources = datasourceValues(ctx.config, ctx.topology);
    new Grafana(scope, 'grafana', {
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('grafana', ctx.config.grafana.image),
      settings: ctx.config.grafana,
      datasources,
      rootUrl: ingressUrl(ctx.config.ingress, ComponentName.GRAFANA),
      dashboards: ctx.dashboards,
      ...(datasourcesNeedWebTlsCa(datasources) ? { webTlsCaSecret: ctx.config.webTls.secret } : {}),
    });
  },
  probes: [GRAFANA_PROBE],
};
