import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  agentContainerSecurity,
  componentServiceAccount,
  containerResources,
  daemonWorkload,
  hostVolume,
  httpProbe,
  imageOf,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { kplus } from '../../k8s';

/** Props of {@link NodeExporter}. */
export interface NodeExporterProps extends ComponentProps {
  /** Its slice of the config: resources. */
  readonly settings: StackConfig['nodeExporter'];
}

const NODE_EXPORTER_UID = 65534;

/** Its metrics port, on the node's network. */
const METRICS_PORT = Ports.nodeExporter;
/** Its landing page: answers while it serves. */
const HEALTH_PATH = '/';

/**
 * node-exporter on every node. Host access, and why: hostNetwork (node network interface metrics),
 * hostPID (host /proc), read-only hostPath of / for filesystem usage. It runs as nobody with no
 * capabilities.
 */
export class NodeExporter extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    this.identity = { name: ComponentName.NODE_EXPORTER, role: ComponentRole.EXPORTER, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const ds = daemonWorkload(this, me, {
      user: NODE_EXPORTER_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: scrapeAnnotations(METRICS_PORT),
      hostNetwork: true,
      hostPID: true,
    });
    ds.addContainer({
      name: 'node-exporter',
      ...imageOf(me),
      args: [
        '--path.procfs=/host/proc',
        '--path.sysfs=/host/sys',
        '--path.rootfs=/host/root',
        '--path.udev.data=/host/root/run/udev/data',
        `--web.listen-address=:${METRICS_PORT}`,
        '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/k3s/containerd/.+|var/lib/docker/.+|var/lib/kubelet/pods/.+)($|/)',
        '--collector.netclass.ignored-devices=^(veth.*|[a-f0-9]{15})$',
        '--collector.netdev.device-exclude=^(veth.*|[a-f0-9]{15})$',
      ],
      ports: [{ name: 'metrics', number: METRICS_PORT, hostPort: METRICS_PORT }],
      resources: containerResources(props.settings.resources),
      securityContext: agentContainerSecurity(NODE_EXPORTER_UID),
      readiness: httpProbe({ path: HEALTH_PATH, port: METRICS_PORT }),
      liveness: httpProbe({ path: HEALTH_PATH, port: METRICS_PORT, periodSeconds: 30, failureThreshold: 5 }),
      volumeMounts: [
        { path: '/host/proc', volume: hostVolume(this, 'proc', '/proc'), readOnly: true },
        { path: '/host/sys', volume: hostVolume(this, 'sys', '/sys'), readOnly: true },
        { path: '/host/root', volume: hostVolume(this, 'root', '/'), readOnly: true, propagation: kplus.MountPropagation.HOST_TO_CONTAINER },
      ],
    });
  }
}
