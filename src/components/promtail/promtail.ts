import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { logAgent, type NodeLogShipping } from '../../common/log-agent';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import type { ComponentIdentity, ComponentProps } from '../../common/workload';
import { kplus } from '../../k8s';
import { PROMTAIL_STATE_DIR, promtailFile } from './config';
import { toYaml } from '../../common/yaml';

/** Where promtail.yaml is mounted. */
const CONFIG_DIR = '/etc/promtail';
const CONFIG_FILE = 'promtail.yaml';

/** Its HTTP server: metrics and `/ready`. */
const HTTP = { name: 'http', port: Ports.promtail };

/** Props of {@link Promtail}. */
export interface PromtailProps extends ComponentProps {
  /** Its slice of the config: resources. */
  readonly settings: StackConfig['promtail'];
  /** Where it ships, and the namespaces it leaves to Fluentd. */
  readonly shipping: NodeLogShipping;
}

/**
 * Promtail, the log agent shipping pod logs to Loki. Promtail reached end-of-life on 2026-03-02 and
 * is gone from Loki 3.7: it is pinned to its last release line, synth warns, and the agent is one
 * component that Grafana Alloy can replace. Host access ({@link logAgent}): read-only /var/log/pods,
 * a hostPath directory for its read positions; it reads pods from the API to find this node's.
 */
export class Promtail extends Construct {
  public readonly identity: ComponentIdentity;
  public readonly configText: string;
  /** Shown by synth. */
  public static readonly DEPRECATION =
    'promtail reached end-of-life on 2026-03-02 and was removed from Loki 3.7; it is pinned to its last release line. Plan the move to Grafana Alloy.';

  constructor(scope: Construct, id: string, props: PromtailProps) {
    super(scope, id);
    this.identity = { name: ComponentName.PROMTAIL, role: ComponentRole.LOG_AGENT, namespace: props.namespace, image: props.image };
    this.configText = toYaml(promtailFile(props.shipping));
    logAgent(this, this.identity, {
      configFile: { name: CONFIG_FILE, text: this.configText, mountPath: CONFIG_DIR },
      args: [`-config.file=${CONFIG_DIR}/${CONFIG_FILE}`, '-config.expand-env=true'],
      // promtail.yaml selects this node's pods with ${HOSTNAME}.
      nodeNameEnv: 'HOSTNAME',
      ports: [HTTP],
      metricsPort: HTTP.port,
      health: { path: '/ready', port: HTTP.port },
      stateDir: PROMTAIL_STATE_DIR,
      reads: [kplus.ApiResource.PODS],
      resources: props.settings.resources,
    });
  }
}
