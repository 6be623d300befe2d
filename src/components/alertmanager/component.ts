import { UI_ACCESS, LocalRunKind, LocalStartPhase, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ingressUrl } from '../../common/ingress';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { webTlsSecretOf } from '../../common/web-tls';
import { Alertmanager } from './alertmanager';
import { ALERTMANAGER_PROBE } from './health';
import { ALERTMANAGER_MIXIN } from './mixin';

/** Alertmanager: routes Prometheus's alerts to the receivers (clustered replicas gossip to notify once). */
export const ALERTMANAGER_COMPONENT: ComponentSpec = {
  id: 'alertmanager',
  chartOrder: 21,
  enabled: (config) => config.alertmanager.enabled,
  workloads: [
    {
      name: ComponentName.ALERTMANAGER,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.alertmanager,
      persistentVolume: true,
      ui: true,
      webTls: true,
      ingress: [
        { port: Ports.alertmanager, from: [ComponentName.PROMETHEUS, ComponentName.GRAFANA, UI_ACCESS] },
        { port: Ports.alertmanagerCluster, from: [ComponentName.ALERTMANAGER] },
      ],
      local: {
        kind: LocalRunKind.TOOL,
        binary: 'alertmanager',
        container: 'alertmanager',
        phase: LocalStartPhase.STORAGE,
        configKey: 'alertmanager.yml',
        // The gossip listener of clustered replicas (a single replica's is generated empty, i.e. off, and stays off).
        listenFlags: { 'web.listen-address': Ports.alertmanager, 'cluster.listen-address': Ports.alertmanagerCluster },
      },
    },
  ],
  build: (scope, ctx) =>
    new Alertmanager(scope, 'alertmanager', {
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('alertmanager', ctx.config.alertmanager.image),
      settings: ctx.config.alertmanager,
      externalUrl: ingressUrl(ctx.config.ingress, ComponentName.ALERTMANAGER) ?? ctx.topology.url(ComponentName.ALERTMANAGER),
      ...webTlsSecretOf(ctx, ComponentName.ALERTMANAGER),
    }),
  mixin: ALERTMANAGER_MIXIN,
  probes: [ALERTMANAGER_PROBE],
};
