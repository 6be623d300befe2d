import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import type { Topology } from '../../common/topology';
import { scrapeAnnotations } from '../../common/scrape';
import {
  agentContainerSecurity,
  componentServiceAccount,
  configChecksum,
  containerResources,
  daemonWorkload,
  hostVolume,
  httpProbe,
  imageOf,
  objectMeta,
  resolveImage,
  scratchVolume,
  type ComponentIdentity,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { NODE_NAME_ENV, OTEL_STATE_DIR, otelCollectorConfig, POD_LOGS_DIR } from './config';

/** Where the config file is mounted in the container. */
const CONFIG_DIR = '/etc/otelcol';
const CONFIG_FILE = 'config.yaml';

/** Props of {@link OtelCollector}. */
export interface OtelCollectorProps {
  readonly config: StackConfig;
  readonly topology: Topology;
}

/**
 * The OpenTelemetry Collector (contrib image) as the node log agent: tails /var/log/pods and ships
 * to Loki over OTLP/HTTP. Kubernetes metadata comes from the log file paths, so it never calls the
 * API: no RBAC, no token. Host access, and why: read-only /var/log/pods (root-owned files: runs as
 * uid 0 with no capabilities, the Pod Security exception the agents namespace grants), and a hostPath
 * directory for file_storage (read checkpoints and the persistent send queue survive restarts).
 */
export class OtelCollector extends Construct {
  public readonly identity: ComponentIdentity;
  public readonly configText: string;

  constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id);
    const slice = props.config.otelCollector;
    this.identity = {
      name: ComponentName.OTEL_COLLECTOR,
      role: ComponentRole.LOG_AGENT,
      namespace: props.config.namespaces.agents,
      image: resolveImage('otelCollector', slice.image),
    };
    const me = this.identity;
    this.configText = stringify(otelCollectorConfig(props.config, props.topology), { lineWidth: 0 });
    const serviceAccount = componentServiceAccount(this, me);
    const configMap = new kplus.ConfigMap(this, 'config', { metadata: objectMeta(me, `${me.name}-config`), data: { [CONFIG_FILE]: this.configText } });
    const ds = daemonWorkload(this, me, {
      user: 0,
      serviceAccount,
      apiAccess: false,
      annotations: { 'checksum/config': configChecksum(this.configText), ...scrapeAnnotations(Ports.otelCollectorMetrics) },
    });
    ds.addContainer({
      name: 'otel-collector',
      ...imageOf(me),
      args: [`--config=${CONFIG_DIR}/${CONFIG_FILE}`],
      envVariables: { [NODE_NAME_ENV]: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME) },
      ports: [
        { name: 'metrics', number: Ports.otelCollectorMetrics },
        { name: 'health', number: Ports.otelCollectorHealth },
      ],
      resources: containerResources(slice.resources),
      securityContext: agentContainerSecurity(0),
      readiness: httpProbe('/', Ports.otelCollectorHealth, 10),
      liveness: httpProbe('/', Ports.otelCollectorHealth, 30, 5),
      volumeMounts: [
        { path: CONFIG_DIR, volume: kplus.Volume.fromConfigMap(this, 'config-vol', configMap, { name: 'config' }), readOnly: true },
        { path: POD_LOGS_DIR, volume: hostVolume(this, 'pods', POD_LOGS_DIR), readOnly: true },
        { path: OTEL_STATE_DIR, volume: hostVolume(this, 'state', '/var/lib/fl-observability/otel-collector', kplus.HostPathVolumeType.DIRECTORY_OR_CREATE) },
        { path: '/tmp', volume: scratchVolume(this, 'tmp') },
      ],
    });
  }
}
