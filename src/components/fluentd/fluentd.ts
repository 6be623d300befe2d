import { Construct } from 'constructs';
import { CONTAINER_LOGS_DIR, logAgent, POD_LOGS_DIR } from '../../common/log-agent';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import type { ComponentIdentity, ComponentProps } from '../../common/workload';
import { kplus } from '../../k8s';
import { FLUENTD_METRICS_PATH, FLUENTD_STATE_DIR, fluentdFile, renderFluentd, type FluentdFileValues } from './config';

/** Where fluent.conf is mounted. */
const CONFIG_DIR = '/fluentd/etc';
const CONFIG_FILE = 'fluent.conf';

/** Its `prometheus` source: its own metrics, also probed. */
const METRICS = { name: 'metrics', port: Ports.fluentdMetrics };

/** Props of {@link Fluentd}: what its fluent.conf is rendered from (its slice, where it ships, what it tails). */
export interface FluentdProps extends ComponentProps, FluentdFileValues {}

/**
 * Fluentd ships the FL workloads' structured logs (the node agent ships the rest). Host access
 * ({@link logAgent}): read-only /var/log/containers and /var/log/pods, and a hostPath state directory
 * for positions and buffers; it reads pods and namespaces from the API for their metadata. The Loki
 * output plugin is baked into our image (images/fluentd, built by the Pulumi program).
 */
export class Fluentd extends Construct {
  public readonly identity: ComponentIdentity;
  public readonly configText: string;

  constructor(scope: Construct, id: string, props: FluentdProps) {
    super(scope, id);
    this.identity = { name: ComponentName.FLUENTD, role: ComponentRole.LOG_AGENT, namespace: props.namespace, image: props.image };
    this.configText = `${renderFluentd(fluentdFile(props))}\n`;
    logAgent(this, this.identity, {
      configFile: { name: CONFIG_FILE, text: this.configText, mountPath: CONFIG_DIR },
      args: ['fluentd', '-c', `${CONFIG_DIR}/${CONFIG_FILE}`, '--no-supervisor'],
      nodeNameEnv: 'K8S_NODE_NAME',
      ports: [METRICS],
      metricsPort: METRICS.port,
      health: { path: FLUENTD_METRICS_PATH, port: METRICS.port },
      logDirs: [CONTAINER_LOGS_DIR, POD_LOGS_DIR],
      stateDir: FLUENTD_STATE_DIR,
      reads: [kplus.ApiResource.PODS, kplus.ApiResource.NAMESPACES],
      resources: props.settings.resources,
    });
  }
}
