import { Construct } from 'constructs';
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
import { FLUENTD_STATE_DIR, fluentdConfig, renderFluentd } from './config';

/** Props of {@link Fluentd}. */
export interface FluentdProps {
  readonly config: StackConfig;
  readonly topology: Topology;
}

/**
 * Fluentd ships the FL workloads' structured logs (Promtail ships the rest). Host access, and why:
 * read-only /var/log/containers and /var/log/pods (root-owned: uid 0, no capabilities) and a hostPath
 * state directory for positions and buffers. The Loki output plugin is baked into our image
 * (images/fluentd, built by the Pulumi program).
 */
export class Fluentd extends Construct {
  public readonly identity: ComponentIdentity;
  public readonly configText: string;

  constructor(scope: Construct, id: string, props: FluentdProps) {
    super(scope, id);
    const slice = props.config.fluentd;
    this.identity = { name: ComponentName.FLUENTD, role: ComponentRole.LOG_AGENT, namespace: props.config.namespaces.agents, image: resolveImage('fluentd', slice.image) };
    const me = this.identity;
    this.configText = `${renderFluentd(fluentdConfig(props.config, props.topology))}\n`;
    const serviceAccount = componentServiceAccount(this, me);
    const role = componentClusterRole(this, me, serviceAccount);
    role.allow(['get', 'list', 'watch'], kplus.ApiResource.PODS, kplus.ApiResource.NAMESPACES);
    const configMap = new kplus.ConfigMap(this, 'config', { metadata: objectMeta(me, `${me.name}-config`), data: { 'fluent.conf': this.configText } });
    const ds = daemonWorkload(this, me, {
      user: 0,
      serviceAccount,
      apiAccess: true,
      annotations: { 'checksum/config': configChecksum(this.configText), ...scrapeAnnotations(Ports.fluentdMetrics) },
    });
    ds.addContainer({
      name: 'fluentd',
      ...imageOf(me),
      args: ['fluentd', '-c', '/fluentd/etc/fluent.conf', '--no-supervisor'],
      envVariables: { K8S_NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME) },
      ports: [{ name: 'metrics', number: Ports.fluentdMetrics }],
      resources: containerResources(slice.resources),
      securityContext: agentContainerSecurity(0),
      readiness: httpProbe('/metrics', Ports.fluentdMetrics, 10),
      liveness: httpProbe('/metrics', Ports.fluentdMetrics, 30, 5),
      volumeMounts: [
        { path: '/fluentd/etc', volume: kplus.Volume.fromConfigMap(this, 'config-vol', configMap, { name: 'config' }), readOnly: true },
        { path: '/var/log/containers', volume: hostVolume(this, 'containers', '/var/log/containers'), readOnly: true },
        { path: '/var/log/pods', volume: hostVolume(this, 'pods', '/var/log/pods'), readOnly: true },
        { path: FLUENTD_STATE_DIR, volume: hostVolume(this, 'state', '/var/lib/fl-observability/fluentd', kplus.HostPathVolumeType.DIRECTORY_OR_CREATE) },
        { path: '/tmp', volume: scratchVolume(this, 'tmp') },
      ],
    });
  }
}
