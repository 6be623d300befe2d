import { Construct } from 'constructs';
import { logAgent } from '../../common/log-agent';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import type { ComponentIdentity, ComponentProps } from '../../common/workload';
import { NODE_NAME_ENV, OTEL_STATE_DIR, otelCollectorFile, type OtelCollectorFileValues } from './config';
import { toYaml } from '../../common/yaml';

/** Where the config file is mounted in the container. */
const CONFIG_DIR = '/etc/otelcol';
const CONFIG_FILE = 'config.yaml';

/** Its own metrics, scraped by Prometheus. */
const METRICS = { name: 'metrics', port: Ports.otelCollectorMetrics };
/** The `health_check` extension, which answers on `/` while the pipeline runs. */
const HEALTH = { name: 'health', port: Ports.otelCollectorHealth };
/**
 * `file_log` hands each line to the pipeline before it moves its read position on (by default it
 * batches lines in memory for up to 100 ms after the position is saved, and a killed collector loses
 * them). Alpha in v0.165: pinned with the image, so a rename shows up when the image changes.
 */
export const OTEL_FEATURE_GATES = ['stanza.synchronousLogEmitter'] as const;

/** Props of {@link OtelCollector}: what its config.yaml is rendered from (its slice, where it ships). */
export interface OtelCollectorProps extends ComponentProps, OtelCollectorFileValues {}

/**
 * The OpenTelemetry Collector (contrib image) as the node log agent: tails /var/log/pods and ships
 * to Loki over OTLP/HTTP. Kubernetes metadata comes from the log file paths, so it never calls the
 * API: no RBAC, no token. Host access ({@link logAgent}): read-only /var/log/pods, and a hostPath
 * directory for file_storage (read checkpoints and the persistent send queue survive restarts).
 */
export class OtelCollector extends Construct {
  public readonly identity: ComponentIdentity;
  public readonly configText: string;

  constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id);
    this.identity = { name: ComponentName.OTEL_COLLECTOR, role: ComponentRole.LOG_AGENT, namespace: props.namespace, image: props.image };
    this.configText = toYaml(otelCollectorFile(props));
    logAgent(this, this.identity, {
      configFile: { name: CONFIG_FILE, text: this.configText, mountPath: CONFIG_DIR },
      args: [`--config=${CONFIG_DIR}/${CONFIG_FILE}`, `--feature-gates=${OTEL_FEATURE_GATES.join(',')}`],
      nodeNameEnv: NODE_NAME_ENV,
      ports: [METRICS, HEALTH],
      metricsPort: METRICS.port,
      health: { path: '/', port: HEALTH.port },
      stateDir: OTEL_STATE_DIR,
      resources: props.settings.resources,
    });
  }
}
