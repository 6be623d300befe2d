import { LocalRunKind, LocalStartPhase, NamespaceTier, SCRAPERS, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { defaultImage, imageString } from '../../versions';
import { FlClients, FlServer } from './fl';
import { FL_SERVER_PROBE } from './health';
import { FL_MIXIN } from './mixin';

const pythonBase = (): Record<string, string> => ({ BASE_IMAGE: imageString(defaultImage('pythonBase')) });

/** The reference FL workload: a Flower SuperLink (server) and its SuperNodes (clients). */
export const FL_COMPONENT: ComponentSpec = {
  id: 'fl',
  chartOrder: 10,
  enabled: (config) => config.fl.enabled,
  workloads: [
    {
      name: ComponentName.FL_SERVER,
      tier: NamespaceTier.TRAINING,
      servicePort: Ports.flFleet,
      ingress: [
        { port: Ports.flMetrics, from: [...SCRAPERS] },
        { port: Ports.flFleet, from: [ComponentName.FL_CLIENT] },
      ],
      local: { kind: LocalRunKind.PYTHON_MODULE, module: 'fl_workload.server', container: 'fl-server', phase: LocalStartPhase.WORKLOAD },
    },
    {
      name: ComponentName.FL_CLIENT,
      tier: NamespaceTier.TRAINING,
      ingress: [{ port: Ports.flMetrics, from: [...SCRAPERS] }],
      local: { kind: LocalRunKind.PYTHON_MODULE, module: 'fl_workload.client', container: 'fl-client', phase: LocalStartPhase.WORKLOAD },
    },
  ],
  build: (scope, ctx) => {
    const namespace = ctx.namespace(NamespaceTier.TRAINING);
    const fl = ctx.config.fl;
    const { mlflow } = ctx.config;
    new FlServer(scope, 'server', {
      namespace,
      image: resolveImage('flServer', fl.server.image),
      settings: fl,
      // The tracking server's address comes from the topology, like every other Service's.
      ...(mlflow.enabled
        ? { tracking: { uri: ctx.topology.url(ComponentName.MLFLOW), experiment: mlflow.experimentName, checkpointEveryRounds: mlflow.checkpointEveryRounds } }
        : {}),
    });
    new FlClients(scope, 'clients', {
      namespace,
      image: resolveImage('flClient', fl.client.image),
      settings: fl,
      server: ctx.topology.endpoint(ComponentName.FL_SERVER),
    });
  },
  mixin: FL_MIXIN,
  probes: [FL_SERVER_PROBE],
  images: [
    { key: 'flServer', context: 'workloads/fl', dockerfile: 'workloads/fl/Dockerfile.server', args: pythonBase, configPath: ['fl', 'server', 'image'] },
    { key: 'flClient', context: 'workloads/fl', dockerfile: 'workloads/fl/Dockerfile.client', args: pythonBase, configPath: ['fl', 'client', 'image'] },
  ],
};
