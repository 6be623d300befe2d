import { Construct } from 'constructs';
import type { SecretKeyRef, StackConfig } from '../../config/schema';
import { checksumAnnotation } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import type { Endpoint } from '../../common/topology';
import {
  claimVolume,
  componentService,
  componentServiceAccount,
  containerPorts,
  containerResources,
  httpProbe,
  imageOf,
  restrictedContainerSecurity,
  scratchVolume,
  statefulWorkload,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { MlflowApi } from './api';

/** The settings {@link mlflowArgs} and {@link mlflowEnv} read. */
export interface MlflowValues {
  /** Its slice of the config: stores, workers, the users' URL. */
  readonly settings: StackConfig['mlflow'];
  /** Its own Service, as the topology names it: the address clients in the cluster send as Host. */
  readonly service: Endpoint;
}

/** Props of {@link Mlflow}. */
export interface MlflowProps extends ComponentProps, MlflowValues {}

/** The executable of the image (`pip install mlflow[...]` puts it on PATH; the image has no entrypoint). */
export const MLFLOW_PROGRAM = 'mlflow';
/** A user without a home or shell (`nobody`); the image's files are world-readable. */
const MLFLOW_UID = 65534;
/** The volume: the SQLite database and the artifacts (when they live here). */
const DATA_DIR = '/mlflow';
/** Scratch space: uploads in transit and the exporter's multiprocess files (emptied with the pod). */
const TMP_DIR = '/tmp';
/** Artifact uploads pass through here: the largest checkpoint the server takes. */
const TMP_MEBIBYTES = 1024;
const HTTP = { name: 'http', port: MlflowApi.port };
/** The downward-API variable the kubelet expands in the allowed hosts (Prometheus scrapes `<pod IP>:5000`). */
const POD_IP = 'POD_IP';

/** The S3 URI the artifacts go to, or the directory on the volume. */
function artifactsDestination(artifacts: StackConfig['mlflow']['artifacts']): string {
  return artifacts.type === 'volume' ? `${DATA_DIR}/artifacts` : `s3://${artifacts.bucket}${artifacts.prefix === undefined ? '' : `/${artifacts.prefix}`}`;
}

/**
 * The Host headers the server answers (MLflow refuses others: DNS-rebinding protection): its
 * Service's names, its pod IP (Prometheus's scrapes), localhost (`kubectl port-forward`) and the
 * host of the URL users open.
 */
export function allowedHosts(values: MlflowValues): string[] {
  const svc = `${values.service.service}.${values.service.namespace}.svc`;
  const port = values.service.port;
  const hosts = [`${svc}:${port}`, `${svc}.cluster.local:${port}`, `$(${POD_IP}):${HTTP.port}`, 'localhost:*', '127.0.0.1:*'];
  const users = new URL(values.settings.url).host;
  const covered = hosts.some((h) => h === users || (h.endsWith(':*') && users.startsWith(h.slice(0, -1))));
  return covered ? hosts : [...hosts, users];
}

/** The arguments of `mlflow` (the container's command): the server, its stores, the exporter, the allowed hosts. */
export function mlflowArgs(values: MlflowValues): string[] {
  const s = values.settings;
  return [
    'server',
    '--host=0.0.0.0',
    `--port=${HTTP.port}`,
    `--workers=${s.workers}`,
    // PostgreSQL: the URI (with its password) comes from the Secret in MLFLOW_BACKEND_STORE_URI.
    ...(s.backendStore.type === 'sqlite' ? [`--backend-store-uri=sqlite:///${DATA_DIR}/mlflow.db`] : []),
    // Clients upload and download through the server (mlflow-artifacts:/ URIs): they need no storage credentials.
    '--serve-artifacts',
    `--artifacts-destination=${artifactsDestination(s.artifacts)}`,
    `--expose-prometheus=${TMP_DIR}/prometheus-multiproc`,
    `--allowed-hosts=${allowedHosts(values).join(',')}`,
    `--cors-allowed-origins=${new URL(s.url).origin}`,
  ];
}

/** The container's environment: literal values, and Secret keys (never inline). */
export interface MlflowEnv {
  readonly values: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretKeyRef>>;
}

/** Telemetry off, the job runner off (GenAI evaluation jobs: seven more processes of ~230 MiB), store credentials from Secrets. */
export function mlflowEnv(settings: StackConfig['mlflow']): MlflowEnv {
  const { backendStore: backend, artifacts } = settings;
  const s3 = artifacts.type === 's3' ? artifacts : undefined;
  return {
    values: {
      MLFLOW_DISABLE_TELEMETRY: 'true',
      DO_NOT_TRACK: 'true',
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
      ...(s3?.endpointUrl === undefined ? {} : { MLFLOW_S3_ENDPOINT_URL: s3.endpointUrl }),
      ...(s3?.region === undefined ? {} : { AWS_DEFAULT_REGION: s3.region }),
    },
    secrets: {
      ...(backend.type === 'postgresql' ? { MLFLOW_BACKEND_STORE_URI: backend.uri } : {}),
      ...(s3 === undefined ? {} : { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey }),
    },
  };
}

/**
 * The MLflow tracking server: one replica (SQLite allows one writer) on its volume, the REST API,
 * UI, artifact proxy and Prometheus exposition on one port. It calls no Kubernetes API: no token.
 */
export class Mlflow extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: MlflowProps) {
    super(scope, id);
    const slice = props.settings;
    this.identity = { name: ComponentName.MLFLOW, role: ComponentRole.EXPERIMENT_TRACKING, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const args = mlflowArgs(props);
    const env = mlflowEnv(slice);
    const sts = statefulWorkload(this, me, {
      replicas: 1,
      user: MLFLOW_UID,
      serviceAccount: componentServiceAccount(this, me),
      // No config file: a change of its flags or environment rolls the pod.
      annotations: { ...checksumAnnotation(...args, JSON.stringify(env)), ...scrapeAnnotations(HTTP.port, { path: MlflowApi.metrics }) },
      storage: slice.storage,
      ports: [HTTP],
    });
    const secretValue = (name: string, ref: SecretKeyRef): kplus.EnvValue =>
      kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, `secret-${name}`, ref.name), key: ref.key });
    const health = { path: MlflowApi.health, port: HTTP.port };
    sts.addContainer({
      name: 'mlflow',
      ...imageOf(me),
      command: [MLFLOW_PROGRAM],
      args,
      envVariables: {
        ...Object.fromEntries(Object.entries(env.values).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
        ...Object.fromEntries(Object.entries(env.secrets).map(([k, ref]) => [k, secretValue(k, ref)])),
        [POD_IP]: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
      },
      ports: containerPorts([HTTP]),
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(MLFLOW_UID),
      // The first start creates and migrates the database: about a minute.
      startup: httpProbe({ ...health, periodSeconds: 5, failureThreshold: 60 }),
      readiness: httpProbe(health),
      liveness: httpProbe({ ...health, periodSeconds: 30, failureThreshold: 4 }),
      volumeMounts: [
        { path: DATA_DIR, volume: claimVolume(this, 'data') },
        { path: TMP_DIR, volume: scratchVolume(this, 'tmp', { sizeMebibytes: TMP_MEBIBYTES }) },
      ],
    });
    componentService(this, 'service', me, [HTTP]);
  }
}
