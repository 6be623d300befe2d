import type { Construct } from 'constructs';
import type { Resources, StackConfig } from '../config/schema';
import { kplus } from '../k8s';
import { configFiles } from './config-file';
import { nodeAgentSkippedNamespaces } from './log-routing';
import { ComponentName } from './names';
import { scrapeAnnotations } from './scrape';
import type { Endpoint, Topology } from './topology';
import {
  agentContainerSecurity,
  componentClusterRole,
  componentServiceAccount,
  containerPorts,
  containerResources,
  daemonWorkload,
  hostVolume,
  httpProbe,
  imageOf,
  ROOT_USER,
  scratchVolume,
  type ComponentIdentity,
  type HttpProbeOptions,
  type NamedPort,
} from './workload';

/*
 * The one recipe of the node log agents (Fluentd, Promtail, the OpenTelemetry Collector): a DaemonSet
 * on every node that reads the kubelet's log files and ships them to Loki. The agents differ only in
 * the options below.
 */

/** Where the kubelet writes container logs: `<namespace>_<pod>_<uid>/<container>/<restart>.log`. */
export const POD_LOGS_DIR = '/var/log/pods';
/** The kubelet's links to those files, `<pod>_<namespace>_<container>-<id>.log`. */
export const CONTAINER_LOGS_DIR = '/var/log/containers';
/** The node directory under which each agent keeps its state, in `<component>/`. */
const NODE_STATE_ROOT = '/var/lib/fl-observability';

/** Where a log agent ships its streams, resolved once from the config and topology. */
export interface LogShipping {
  /** Loki's Service, where the streams are pushed (also when the config disables Loki: synth warns). */
  readonly loki: Endpoint;
  /** The `cluster` label of every stream. */
  readonly clusterName: string;
}

/** Where a node agent (the OpenTelemetry Collector or Promtail) ships, and what it leaves to Fluentd. */
export interface NodeLogShipping extends LogShipping {
  /** Namespaces Fluentd ships to the same Loki: left alone, so that nothing is shipped twice. */
  readonly skippedNamespaces: readonly string[];
}

/** The {@link LogShipping} of a config. */
export function logShipping(config: StackConfig, topology: Topology): LogShipping {
  return { loki: topology.endpoint(ComponentName.LOKI), clusterName: config.clusterName };
}

/** The {@link NodeLogShipping} of a config. */
export function nodeLogShipping(config: StackConfig, topology: Topology): NodeLogShipping {
  return { ...logShipping(config, topology), skippedNamespaces: nodeAgentSkippedNamespaces(config) };
}

/** The config file of a log agent. */
export interface LogAgentConfigFile {
  /** The file name (the ConfigMap key). */
  readonly name: string;
  /** Its contents. */
  readonly text: string;
  /** The directory it appears in inside the container. */
  readonly mountPath: string;
}

/** Options of {@link logAgent}: what differs between the agents. */
export interface LogAgentOptions {
  /** Its config file, in a ConfigMap whose checksum rolls the pods. */
  readonly configFile: LogAgentConfigFile;
  /** The container's arguments (they name the config file). */
  readonly args: readonly string[];
  /** The environment variable the node's name is given in (the agent selects and labels this node's streams with it). */
  readonly nodeNameEnv: string;
  /** Its container ports. */
  readonly ports: readonly NamedPort[];
  /** The port Prometheus scrapes its own metrics on. */
  readonly metricsPort: number;
  /** What its readiness and liveness probes request. */
  readonly health: Pick<HttpProbeOptions, 'path' | 'port'>;
  /** Host log directories it reads, mounted read-only at the same paths (each volume named by the last segment). @default [POD_LOGS_DIR] */
  readonly logDirs?: readonly string[];
  /** Where its state (read positions, buffers, queues) is in the container: a node directory, so restarts resume. */
  readonly stateDir: string;
  /** API resources it reads cluster-wide, for pod metadata: a ClusterRole and a mounted token. @default - none: no RBAC, no token */
  readonly reads?: readonly kplus.IApiEndpoint[];
  /** Its container's requests and limits. */
  readonly resources: Resources;
}

/**
 * A node log agent as a DaemonSet. Host access, and why: read-only log directories (root-owned
 * files: the agent runs as uid 0 with no capability, the Pod Security exception the agents namespace
 * grants) and a hostPath state directory `/var/lib/fl-observability/<component>`; API access only when
 * it reads metadata.
 */
export function logAgent(scope: Construct, me: ComponentIdentity, options: LogAgentOptions): kplus.DaemonSet {
  const reads = options.reads ?? [];
  const serviceAccount = componentServiceAccount(scope, me);
  if (reads.length > 0) {
    componentClusterRole(scope, me, serviceAccount).allow(['get', 'list', 'watch'], ...reads);
  }
  const config = configFiles(scope, me, { files: { [options.configFile.name]: options.configFile.text }, mountPath: options.configFile.mountPath });
  const ds = daemonWorkload(scope, me, {
    user: ROOT_USER,
    serviceAccount,
    apiAccess: reads.length > 0,
    annotations: { ...config.annotations, ...scrapeAnnotations(options.metricsPort) },
  });
  const logMounts = (options.logDirs ?? [POD_LOGS_DIR]).map((dir) => ({
    path: dir,
    volume: hostVolume(scope, dir.slice(dir.lastIndexOf('/') + 1), dir),
    readOnly: true,
  }));
  ds.addContainer({
    name: me.name,
    ...imageOf(me),
    args: [...options.args],
    envVariables: { [options.nodeNameEnv]: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME) },
    ports: containerPorts(options.ports),
    resources: containerResources(options.resources),
    securityContext: agentContainerSecurity(ROOT_USER),
    readiness: httpProbe(options.health),
    liveness: httpProbe({ ...options.health, periodSeconds: 30, failureThreshold: 5 }),
    volumeMounts: [
      config.mount,
      ...logMounts,
      { path: options.stateDir, volume: hostVolume(scope, 'state', `${NODE_STATE_ROOT}/${me.name}`, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE) },
      { path: '/tmp', volume: scratchVolume(scope, 'tmp') },
    ],
  });
  return ds;
}
