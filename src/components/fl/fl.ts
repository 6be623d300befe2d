import { Construct } from 'constructs';
import { Duration } from 'cdk8s';
import type { StackConfig } from '../../config/schema';
import { roundTimeoutSeconds } from '../../config/values';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import type { Endpoint } from '../../common/topology';
import {
  componentService,
  componentServiceAccount,
  containerPorts,
  containerResources,
  deploymentWorkload,
  httpProbe,
  imageOf,
  objectMeta,
  podMeta,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  scratchVolume,
  selectPods,
  spreadReplicas,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { FlApi } from './api';
import { flMetrics, ROUND_DURATION } from './metrics';

/** The non-root user of the FL images (workloads/fl/Dockerfile.*). */
export const FL_UID = 65532;

/** The SuperLink's Fleet API, which the clients connect to. */
const FLEET = { name: 'fleet', port: Ports.flFleet };
/** Metrics and health of server and clients. */
const METRICS = { name: 'metrics', port: FlApi.metricsPort };

/** The size limit of the FL containers' /tmp scratch volume. */
const TMP_MEBIBYTES = 256;

/** The pod annotations that have Prometheus scrape the FL metric contract. */
function flScrapeAnnotations(): Record<string, string> {
  return scrapeAnnotations(METRICS.port, { path: FlApi.metrics });
}

/** Periods of the probes of an FL container. */
interface FlProbePeriods {
  readonly readinessSeconds: number;
  readonly livenessSeconds: number;
}

/** The readiness and liveness probes of an FL container, on its metrics port. */
function flProbes(periods: FlProbePeriods): Pick<kplus.ContainerProps, 'readiness' | 'liveness'> {
  return {
    readiness: httpProbe({ path: FlApi.ready, port: METRICS.port, periodSeconds: periods.readinessSeconds }),
    liveness: httpProbe({ path: FlApi.healthy, port: METRICS.port, periodSeconds: periods.livenessSeconds, failureThreshold: 4 }),
  };
}

/** Where the FL server logs each federation as one run. */
export interface ExperimentTracking {
  /** The MLflow tracking server's in-cluster URL (from the topology, never written by hand). */
  readonly uri: string;
  /** The experiment the runs go to. */
  readonly experiment: string;
  /** Also log the model every N rounds (0: the final model only). */
  readonly checkpointEveryRounds: number;
}

/**
 * Environment of the FL server, from the `fl` slice and the tracking server, if any (the workload
 * validates it again at start). MLflow's own client variables name the tracking server.
 */
export function flServerEnv(fl: StackConfig['fl'], tracking?: ExperimentTracking): Record<string, string> {
  return {
    FL_NUM_ROUNDS: String(fl.rounds),
    FL_MIN_CLIENTS: String(fl.minClients),
    FL_NUM_CLIENTS: String(fl.numClients),
    FL_STRATEGY: fl.strategy,
    FL_MODEL_NAME: fl.modelName,
    FL_ROUND_FAILURE_POLICY: fl.roundFailurePolicy,
    FL_ROUND_TIMEOUT_SECONDS: String(roundTimeoutSeconds(fl.roundTimeout)),
    // The histogram buckets of the metric contract (they follow fl.roundTimeout): the server has no list of its own.
    FL_ROUND_DURATION_BUCKETS: flMetrics({ fl }).find((m) => m.name === ROUND_DURATION)!.buckets!.join(','),
    FL_SERVER_HOST: '0.0.0.0',
    FL_SERVER_PORT: String(FLEET.port),
    FL_METRICS_PORT: String(METRICS.port),
    ...(tracking === undefined
      ? {}
      : {
          MLFLOW_TRACKING_URI: tracking.uri,
          MLFLOW_EXPERIMENT_NAME: tracking.experiment,
          FL_CHECKPOINT_EVERY_ROUNDS: String(tracking.checkpointEveryRounds),
        }),
  };
}

/** Props of {@link FlServer}. */
export interface FlServerProps extends ComponentProps {
  /** The `fl` slice of the config: the run's settings, the server's resources. */
  readonly settings: StackConfig['fl'];
  /** Where it logs each federation. @default - not tracked */
  readonly tracking?: ExperimentTracking;
}

/** The FL server (coordinator): one replica, its Fleet API for clients and its metrics port. */
export class FlServer extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: FlServerProps) {
    super(scope, id);
    this.identity = { name: ComponentName.FL_SERVER, role: ComponentRole.TRAINING, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const deployment = deploymentWorkload(this, me, {
      // The coordinator holds the federation's state: exactly one, replaced not rolled.
      replicas: 1,
      recreate: true,
      user: FL_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: flScrapeAnnotations(),
    });
    deployment.addContainer({
      name: me.name, // the logs dashboard selects FL streams by container name
      ...imageOf(me),
      envVariables: Object.fromEntries(Object.entries(flServerEnv(props.settings, props.tracking)).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      ports: containerPorts([FLEET, METRICS]),
      resources: containerResources(props.settings.server.resources),
      securityContext: restrictedContainerSecurity(FL_UID),
      ...flProbes({ readinessSeconds: 5, livenessSeconds: 15 }),
      volumeMounts: [{ path: '/tmp', volume: scratchVolume(this, 'tmp', { sizeMebibytes: TMP_MEBIBYTES }) }],
    });
    componentService(this, 'service', me, [FLEET, METRICS]);
  }
}

/** Props of {@link FlClients}. */
export interface FlClientsProps extends ComponentProps {
  /** The `fl` slice of the config: the number of clients, their resources. */
  readonly settings: StackConfig['fl'];
  /** The server's Service (its Fleet API), which the clients connect to. */
  readonly server: Endpoint;
}

/**
 * N FL clients from one StatefulSet: each pod reads its partition index from the
 * `apps.kubernetes.io/pod-index` label, so the manifests are the same size for 2 or 2000 clients.
 */
export class FlClients extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: FlClientsProps) {
    super(scope, id);
    const { numClients } = props.settings;
    this.identity = { name: ComponentName.FL_CLIENT, role: ComponentRole.TRAINING, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const sts = new kplus.StatefulSet(this, 'sts', {
      metadata: objectMeta(me),
      podMetadata: podMeta(me, flScrapeAnnotations()),
      select: false,
      replicas: numClients,
      serviceAccount: componentServiceAccount(this, me),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(FL_UID),
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      terminationGracePeriod: Duration.seconds(30),
      service: componentService(this, 'headless', me, [METRICS], { headless: true }),
    });
    selectPods(sts, me);
    spreadReplicas(sts, me, numClients);
    const { server } = props;
    sts.addContainer({
      name: me.name,
      ...imageOf(me),
      envVariables: {
        FL_CLIENT_INDEX: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: 'apps.kubernetes.io/pod-index' }),
        FL_NUM_CLIENTS: kplus.EnvValue.fromValue(String(numClients)),
        // host:port, no scheme (workloads/fl/README.md).
        FL_SERVER_ADDRESS: kplus.EnvValue.fromValue(`${server.service}.${server.namespace}.svc:${server.port}`),
        FL_METRICS_PORT: kplus.EnvValue.fromValue(String(METRICS.port)),
      },
      ports: containerPorts([METRICS]),
      resources: containerResources(props.settings.client.resources),
      securityContext: restrictedContainerSecurity(FL_UID),
      ...flProbes({ readinessSeconds: 10, livenessSeconds: 20 }),
      volumeMounts: [{ path: '/tmp', volume: scratchVolume(this, 'tmp', { sizeMebibytes: TMP_MEBIBYTES }) }],
    });
  }
}
