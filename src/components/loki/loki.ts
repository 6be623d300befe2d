import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { configFiles } from '../../common/config-file';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
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
import { LokiApi } from './api';
import { LOKI_DATA_DIR, lokiConfig } from './config';
import { toYaml } from '../../common/yaml';

/** Props of {@link Loki}. */
export interface LokiProps extends ComponentProps {
  /** Its slice of the config: retention, storage, resources. */
  readonly settings: StackConfig['loki'];
}

/** The loki user of the upstream image. */
const LOKI_UID = 10001;

/** Where loki.yaml is mounted. */
const CONFIG_DIR = '/etc/loki';
const CONFIG_FILE = 'loki.yaml';

const HTTP = { name: 'http', port: LokiApi.port };
const GRPC = { name: 'grpc', port: Ports.lokiGrpc };

/** Loki, single binary, on a PVC. */
export class Loki extends Construct {
  public readonly configText: string;
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    const slice = props.settings;
    this.identity = { name: ComponentName.LOKI, role: ComponentRole.LOGS, namespace: props.namespace, image: props.image };
    const me = this.identity;
    this.configText = toYaml(lokiConfig({ loki: slice }));
    const config = configFiles(this, me, { files: { [CONFIG_FILE]: this.configText }, mountPath: CONFIG_DIR });
    const sts = statefulWorkload(this, me, {
      // Single binary with filesystem storage: one replica.
      replicas: 1,
      user: LOKI_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { ...config.annotations, ...scrapeAnnotations(LokiApi.port) },
      storage: slice.storage,
      ports: [HTTP],
    });
    const ready = { path: LokiApi.ready, port: LokiApi.port };
    sts.addContainer({
      name: 'loki',
      ...imageOf(me),
      args: [`-config.file=${CONFIG_DIR}/${CONFIG_FILE}`, '-target=all'],
      ports: containerPorts([HTTP, GRPC]),
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(LOKI_UID),
      readiness: httpProbe(ready),
      liveness: httpProbe({ ...ready, periodSeconds: 30, failureThreshold: 10 }),
      startup: httpProbe({ ...ready, failureThreshold: 60 }),
      volumeMounts: [config.mount, { path: LOKI_DATA_DIR, volume: claimVolume(this, 'data') }, { path: '/tmp', volume: scratchVolume(this, 'tmp') }],
    });
    componentService(this, 'service', me, [HTTP, GRPC]);
  }
}
