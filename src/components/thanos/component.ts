import { ANYWHERE, UI_ACCESS, LocalRunKind, LocalStartPhase, NamespaceTier, SCRAPERS, type ComponentSpec, type LocalRun } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { ThanosApi } from './api';
import { ThanosCompact } from './compact';
import { THANOS_PROBES } from './health';
import { THANOS_MIXIN } from './mixin';
import { ThanosQuery } from './query';
import { ThanosReceive } from './receive';
import { ThanosStore } from './store';

/** Every Thanos component runs the one `thanos` binary with its subcommand; these flags are listen addresses. */
function thanosLocal(container: ComponentName, phase: LocalStartPhase, listenFlags: Readonly<Record<string, number>>): LocalRun {
  return { kind: LocalRunKind.TOOL, binary: 'thanos', container, phase, listenFlags };
}

const HTTP_GRPC = { 'http-address': Ports.thanosHttp, 'grpc-address': Ports.thanosGrpc };

/**
 * Thanos, the central profile's long-term store: Receive (the sites' remote-write endpoint, a
 * hashring with replication), Query, Store Gateway and Compactor over one object storage bucket.
 */
export const THANOS_COMPONENT: ComponentSpec = {
  id: 'thanos',
  chartOrder: 28,
  enabled: (config) => config.thanos.enabled,
  workloads: [
    {
      name: ComponentName.THANOS_RECEIVE,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.thanosHttp,
      persistentVolume: true,
      ingress: [
        // The sites write from outside the cluster (through a LoadBalancer or an ingress); mutual TLS admits them.
        { port: Ports.thanosRemoteWrite, from: [ANYWHERE] },
        { port: Ports.thanosGrpc, from: [ComponentName.THANOS_RECEIVE, ComponentName.THANOS_QUERY] },
        { port: Ports.thanosHttp, from: [...SCRAPERS] },
      ],
      local: thanosLocal(ComponentName.THANOS_RECEIVE, LocalStartPhase.STORAGE, { ...HTTP_GRPC, 'remote-write.address': Ports.thanosRemoteWrite, 'receive.capnproto-address': ThanosApi.capnproto }),
    },
    {
      name: ComponentName.THANOS_QUERY,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.thanosHttp,
      ui: true,
      ingress: [{ port: Ports.thanosHttp, from: [...SCRAPERS, ComponentName.GRAFANA, UI_ACCESS] }],
      local: thanosLocal(ComponentName.THANOS_QUERY, LocalStartPhase.PIPELINE, HTTP_GRPC),
    },
    {
      name: ComponentName.THANOS_STORE,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.thanosHttp,
      persistentVolume: true,
      ingress: [
        { port: Ports.thanosGrpc, from: [ComponentName.THANOS_QUERY] },
        { port: Ports.thanosHttp, from: [...SCRAPERS] },
      ],
      local: thanosLocal(ComponentName.THANOS_STORE, LocalStartPhase.STORAGE, HTTP_GRPC),
    },
    {
      name: ComponentName.THANOS_COMPACT,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.thanosHttp,
      persistentVolume: true,
      ingress: [{ port: Ports.thanosHttp, from: [...SCRAPERS] }],
      local: thanosLocal(ComponentName.THANOS_COMPACT, LocalStartPhase.STORAGE, { 'http-address': Ports.thanosHttp }),
    },
  ],
  build: (scope, ctx) => {
    const props = { namespace: ctx.namespace(NamespaceTier.MONITORING), image: resolveImage('thanos', ctx.config.thanos.image), settings: ctx.config.thanos };
    new ThanosReceive(scope, 'receive', props);
    new ThanosQuery(scope, 'query', props);
    new ThanosStore(scope, 'store', props);
    new ThanosCompact(scope, 'compact', props);
  },
  mixin: THANOS_MIXIN,
  probes: THANOS_PROBES,
};
