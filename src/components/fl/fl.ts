import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import type { Topology } from '../../common/topology';
import {
  componentService,
  componentServiceAccount,
  containerResources,
  deploymentWorkload,
  httpProbe,
  imageOf,
  objectMeta,
  podMeta,
  resolveImage,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  scratchVolume,
  selectPods,
  spreadReplicas,
  type ComponentIdentity,
} from '../../common/workload';
import { flMetrics, ROUND_DURATION } from './metrics';
import { roundTimeoutSeconds } from '../../config/values';
import { kplus } from '../../k8s';
import { Duration } from 'cdk8s';

/** The non-root user of the FL images (workloads/fl/Dockerfile.*). */
export const FL_UID = 65532;

/** Environment of the FL server, from the `fl` slice (the workload validates it again at start). */
export function flServerEnv(config: StackConfig): Record<string, string> {
  return {
    FL_NUM_ROUNDS: String(config.fl.rounds),
    FL_MIN_CLIENTS: String(config.fl.minClients),
    FL_NUM_CLIENTS: String(config.fl.numClients),
    FL_STRATEGY: config.fl.strategy,
    FL_MODEL_NAME: config.fl.modelName,
    FL_ROUND_FAILURE_POLICY: config.fl.roundFailurePolicy,
    FL_ROUND_TIMEOUT_SECONDS: String(roundTimeoutSeconds(config.fl.roundTimeout)),
    // The histogram buckets of the metric contract (they follow fl.roundTimeout): the server has no list of its own.
    FL_ROUND_DURATION_BUCKETS: flMetrics(config).find((m) => m.name === ROUND_DURATION)!.buckets!.join(','),
    FL_SERVER_HOST: '0.0.0.0',
    FL_SERVER_PORT: String(Ports.flFleet),
    FL_METRICS_PORT: String(Ports.flMetrics),
  };
}

/** Props of {@link FlServer}. */
export interface FlServerProps {
  readonly config: StackConfig;
  /** Image override, e.g. the content-tagged build of the Pulumi program. @default - fl.server.image, else versions.json */
  readonly image?: string;
}

/** The FL server (coordinator): one replica, its Fleet API for clients and its metrics port. */
export class FlServer extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: FlServerProps) {
    super(scope, id);
    const { config } = props;
    this.identity = {
      name: ComponentName.FL_SERVER,
      role: ComponentRole.TRAINING,
      namespace: config.namespaces.training,
      image: resolveImage('flServer', props.image ?? config.fl.server.image),
    };
    const me = this.identity;
    const deployment = deploymentWorkload(this, me, {
      // The coordinator holds the federation's state: exactly one, replaced not rolled.
      replicas: 1,
      recreate: true,
      user: FL_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: scrapeAnnotations(Ports.flMetrics),
    });
    deployment.addContainer({
      name: me.name, // the logs dashboard selects FL streams by container name
      ...imageOf(me),
      envVariables: Object.fromEntries(Object.entries(flServerEnv(config)).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      ports: [
        { name: 'fleet', number: Ports.flFleet },
        { name: 'metrics', number: Ports.flMetrics },
      ],
      resources: containerResources(config.fl.server.resources),
      securityContext: restrictedContainerSecurity(FL_UID),
      readiness: httpProbe('/readyz', Ports.flMetrics, 5),
      liveness: httpProbe('/healthz', Ports.flMetrics, 15, 4),
      volumeMounts: [{ path: '/tmp', volume: scratchVolume(this, 'tmp', 256) }],
    });
    componentService(this, 'service', me, [
      { name: 'fleet', port: Ports.flFleet },
      { name: 'metrics', port: Ports.flMetrics },
    ]);
  }
}

/** Props of {@link FlClients}. */
export interface FlClientsProps {
  readonly config: StackConfig;
  readonly topology: Topology;
  /** Image override. @default - fl.client.image, else versions.json */
  readonly image?: string;
}

/**
 * N FL clients from one StatefulSet: each pod reads its partition index from the
 * `apps.kubernetes.io/pod-index` label, so the manifests are the same size for 2 or 2000 clients.
 */
export class FlClients extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: FlClientsProps) {
    super(scope, id);
    const { config, topology } = props;
    this.identity = {
      name: ComponentName.FL_CLIENT,
      role: ComponentRole.TRAINING,
      namespace: config.namespaces.training,
      image: resolveImage('flClient', props.image ?? config.fl.client.image),
    };
    const me = this.identity;
    const sts = new kplus.StatefulSet(this, 'sts', {
      metadata: objectMeta(me),
      podMetadata: podMeta(me, scrapeAnnotations(Ports.flMetrics)),
      select: false,
      replicas: config.fl.numClients,
      serviceAccount: componentServiceAccount(this, me),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(FL_UID),
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      terminationGracePeriod: Duration.seconds(30),
      service: componentService(this, 'headless', me, [{ name: 'metrics', port: Ports.flMetrics }], { headless: true }),
    });
    selectPods(sts, me);
    spreadReplicas(sts, me, config.fl.numClients);
    sts.addContainer({
      name: me.name,
      ...imageOf(me),
      envVariables: {
        FL_CLIENT_INDEX: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: 'apps.kubernetes.io/pod-index' }),
        FL_NUM_CLIENTS: kplus.EnvValue.fromValue(String(config.fl.numClients)),
        FL_SERVER_ADDRESS: kplus.EnvValue.fromValue(`${topology.flServer.service}.${topology.flServer.namespace}.svc:${topology.flServer.port}`),
        FL_METRICS_PORT: kplus.EnvValue.fromValue(String(Ports.flMetrics)),
      },
      ports: [{ name: 'metrics', number: Ports.flMetrics }],
      resources: containerResources(config.fl.client.resources),
      securityContext: restrictedContainerSecurity(FL_UID),
      readiness: httpProbe('/readyz', Ports.flMetrics, 10),
      liveness: httpProbe('/healthz', Ports.flMetrics, 20, 4),
      volumeMounts: [{ path: '/tmp', volume: scratchVolume(this, 'tmp', 256) }],
    });
  }
}
