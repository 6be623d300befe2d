import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { configFiles } from '../../common/config-file';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import { WEB_CONFIG_FILE, webConfigFile, webTlsMount } from '../../common/web-tls';
import {
  claimVolume,
  componentService,
  componentServiceAccount,
  containerPorts,
  containerResources,
  httpProbe,
  imageOf,
  restrictedContainerSecurity,
  statefulWorkload,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { AlertmanagerApi } from './api';
import { alertmanagerConfig, receiverSecretNames, SECRETS_DIR } from './config';
import { toYaml } from '../../common/yaml';

/** Props of {@link Alertmanager}. */
export interface AlertmanagerProps extends ComponentProps {
  /** Its slice of the config: replicas, routing, receivers, storage, resources. */
  readonly settings: StackConfig['alertmanager'];
  /** The URL its pages and alerts link to: its Ingress when exposed, else its Service. */
  readonly externalUrl: string;
  /** The web certificate Secret it serves HTTPS with (`webTls`). @default - plain HTTP */
  readonly webTlsSecret?: string;
}

const ALERTMANAGER_UID = 65534;

/** Where alertmanager.yml is mounted. */
const CONFIG_DIR = '/etc/alertmanager/config';
const CONFIG_FILE = 'alertmanager.yml';
/** Its data directory (the PVC). */
const DATA_DIR = '/alertmanager';

const HTTP = { name: 'http', port: AlertmanagerApi.port };
/** The gossip port of clustered replicas. */
const CLUSTER = { name: 'cluster', port: Ports.alertmanagerCluster };

/** Alertmanager as a StatefulSet, clustered through its headless Service when replicas > 1. */
export class Alertmanager extends Construct {
  public readonly configText: string;
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const slice = props.settings;
    this.identity = { name: ComponentName.ALERTMANAGER, role: ComponentRole.ALERTING, namespace: props.namespace, image: props.image };
    const me = this.identity;
    this.configText = toYaml(alertmanagerConfig({ alertmanager: slice }));

    const webTls = props.webTlsSecret !== undefined;
    const config = configFiles(this, me, {
      files: { [CONFIG_FILE]: this.configText, ...(webTls ? { [WEB_CONFIG_FILE]: toYaml(webConfigFile()) } : {}) },
      mountPath: CONFIG_DIR,
    });
    const sts = statefulWorkload(this, me, {
      replicas: slice.replicas,
      user: ALERTMANAGER_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { ...config.annotations, ...scrapeAnnotations(AlertmanagerApi.port, { webTls }) },
      storage: slice.storage,
      ports: [HTTP, CLUSTER],
    });
    const peers = Array.from({ length: slice.replicas }, (_, i) => `--cluster.peer=${me.name}-${i}.${me.name}-headless.${me.namespace}.svc:${CLUSTER.port}`);
    const secretMounts = receiverSecretNames(slice.receivers).map((secretName) => ({
      path: `${SECRETS_DIR}/${secretName}`,
      volume: kplus.Volume.fromSecret(this, `secret-${secretName}`, kplus.Secret.fromSecretName(this, `secret-ref-${secretName}`, secretName), { name: `secret-${secretName}` }),
      readOnly: true,
    }));
    sts.addContainer({
      name: 'alertmanager',
      ...imageOf(me),
      args: [
        `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
        `--storage.path=${DATA_DIR}`,
        `--web.listen-address=:${HTTP.port}`,
        `--web.external-url=${props.externalUrl}`,
        ...(webTls ? [`--web.config.file=${CONFIG_DIR}/${WEB_CONFIG_FILE}`] : []),
        ...(slice.replicas > 1 ? [`--cluster.listen-address=0.0.0.0:${CLUSTER.port}`, ...peers] : ['--cluster.listen-address=']),
      ],
      ports: containerPorts([HTTP, CLUSTER]),
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(ALERTMANAGER_UID),
      readiness: httpProbe({ path: AlertmanagerApi.ready, port: HTTP.port, https: webTls, periodSeconds: 5 }),
      liveness: httpProbe({ path: AlertmanagerApi.healthy, port: HTTP.port, https: webTls, periodSeconds: 15, failureThreshold: 6 }),
      volumeMounts: [
        config.mount,
        { path: DATA_DIR, volume: claimVolume(this, 'data') },
        ...secretMounts,
        ...(props.webTlsSecret === undefined ? [] : [webTlsMount(this, props.webTlsSecret)]),
      ],
    });
    componentService(this, 'service', me, [HTTP]);
  }
}
