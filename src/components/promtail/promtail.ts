import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import type { Topology } from '../../common/topology';
import { scrapeAnnotations } from '../../common/scrape';
import {
  agentContainerSecurity,
  componentClusterRole,
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
import { PROMTAIL_STATE_DIR, promtailConfig } from './config';

/** Props of {@link Promtail}. */
export interface PromtailProps {
  readonly config: StackConfig;
  readonly topology: Topology;
}

/**
 * Promtail, the log agent shipping pod logs to Loki. Promtail reached end-of-life on 2026-03-02 and
 * is gone from Loki 3.7: it is pinned to its last release line, synth warns, and the agent is one
 * component that Grafana Alloy can replace. Host access, and why: read-only /var/log/pods (root-owned
 * files: runs as uid 0 with no capabilities), a hostPath directory for its read positions.
 */
export class Promtail extends Construct {
  public readonly identity: ComponentIdentity;
  public readonly configText: string;
  /** Shown by synth. */
  public static readonly DEPRECATION =
    'promtail reached end-of-life on 2026-03-02 and was removed from Loki 3.7; it is pinned to its last release line. Plan the move to Grafana Alloy.';

  constructor(scope: Construct, id: string, props: PromtailProps) {
    super(scope, id);
    const slice = props.config.promtail;
    this.identity = { name: ComponentName.PROMTAIL, role: ComponentRole.LOG_AGENT, namespace: props.config.namespaces.agents, image: resolveImage('promtail', slice.image) };
    const me = this.identity;
    this.configText = stringify(promtailConfig(props.config, props.topology), { lineWidth: 0 });
    const serviceAccount = componentServiceAccount(this, me);
    const role = componentClusterRole(this, me, serviceAccount);
    role.allow(['get', 'list', 'watch'], kplus.ApiResource.PODS);
    const configMap = new kplus.ConfigMap(this, 'config', { metadata: objectMeta(me, `${me.name}-config`), data: { 'promtail.yaml': this.configText } });
    const ds = daemonWorkload(this, me, {
      user: 0,
      serviceAccount,
      apiAccess: true,
      annotations: { 'checksum/config': configChecksum(this.configText), ...scrapeAnnotations(Ports.promtail) },
    });
    ds.addContainer({
      name: 'promtail',
      ...imageOf(me),
      args: ['-config.file=/etc/promtail/promtail.yaml', '-config.expand-env=true'],
      envVariables: { HOSTNAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME) },
      ports: [{ name: 'http', number: Ports.promtail }],
      resources: containerResources(slice.resources),
      securityContext: agentContainerSecurity(0),
      readiness: httpProbe('/ready', Ports.promtail, 10),
      liveness: httpProbe('/ready', Ports.promtail, 30, 5),
      volumeMounts: [
        { path: '/etc/promtail', volume: kplus.Volume.fromConfigMap(this, 'config-vol', configMap, { name: 'config' }), readOnly: true },
        { path: '/var/log/pods', volume: hostVolume(this, 'pods', '/var/log/pods'), readOnly: true },
        { path: PROMTAIL_STATE_DIR, volume: hostVolume(this, 'state', '/var/lib/fl-observability/promtail', kplus.HostPathVolumeType.DIRECTORY_OR_CREATE) },
        { path: '/tmp', volume: scratchVolume(this, 'tmp') },
      ],
    });
  }
}
