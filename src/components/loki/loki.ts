import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  claimVolume,
  componentService,
  componentServiceAccount,
  configChecksum,
  containerResources,
  httpProbe,
  imageOf,
  objectMeta,
  resolveImage,
  restrictedContainerSecurity,
  scratchVolume,
  statefulWorkload,
  type ComponentIdentity,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { LOKI_DATA_DIR, lokiConfig } from './config';

/** Props of {@link Loki}. */
export interface LokiProps {
  readonly config: StackConfig;
}

/** The loki user of the upstream image. */
const LOKI_UID = 10001;

/** Loki, single binary, on a PVC. */
export class Loki extends Construct {
  public readonly configText: string;
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    const slice = props.config.loki;
    this.identity = { name: ComponentName.LOKI, role: ComponentRole.LOGS, namespace: props.config.namespaces.monitoring, image: resolveImage('loki', slice.image) };
    const me = this.identity;
    this.configText = stringify(lokiConfig(props.config), { lineWidth: 0 });
    const configMap = new kplus.ConfigMap(this, 'config', { metadata: objectMeta(me, `${me.name}-config`), data: { 'loki.yaml': this.configText } });
    const sts = statefulWorkload(this, me, {
      // Single binary with filesystem storage: one replica.
      replicas: 1,
      user: LOKI_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { 'checksum/config': configChecksum(this.configText), ...scrapeAnnotations(Ports.loki) },
      storage: slice.storage,
      ports: [{ name: 'http', port: Ports.loki }],
    });
    sts.addContainer({
      name: 'loki',
      ...imageOf(me),
      args: ['-config.file=/etc/loki/loki.yaml', '-target=all'],
      ports: [
        { name: 'http', number: Ports.loki },
        { name: 'grpc', number: Ports.lokiGrpc },
      ],
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(LOKI_UID),
      readiness: httpProbe('/ready', Ports.loki, 10),
      liveness: httpProbe('/ready', Ports.loki, 30, 10),
      startup: httpProbe('/ready', Ports.loki, 10, 60),
      volumeMounts: [
        { path: '/etc/loki', volume: kplus.Volume.fromConfigMap(this, 'config-vol', configMap, { name: 'config' }), readOnly: true },
        { path: LOKI_DATA_DIR, volume: claimVolume(this, 'data') },
        { path: '/tmp', volume: scratchVolume(this, 'tmp') },
      ],
    });
    componentService(this, 'service', me, [
      { name: 'http', port: Ports.loki },
      { name: 'grpc', port: Ports.lokiGrpc },
    ]);
  }
}
