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
  statefulWorkload,
  type ComponentIdentity,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { alertmanagerConfig, receiverSecretNames, SECRETS_DIR } from './config';

/** Props of {@link Alertmanager}. */
export interface AlertmanagerProps {
  readonly config: StackConfig;
}

const ALERTMANAGER_UID = 65534;

/** Alertmanager as a StatefulSet, clustered through its headless Service when replicas > 1. */
export class Alertmanager extends Construct {
  public readonly configText: string;
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const slice = props.config.alertmanager;
    this.identity = {
      name: ComponentName.ALERTMANAGER,
      role: ComponentRole.ALERTING,
      namespace: props.config.namespaces.monitoring,
      image: resolveImage('alertmanager', slice.image),
    };
    const me = this.identity;
    this.configText = stringify(alertmanagerConfig(props.config), { lineWidth: 0 });

    const configMap = new kplus.ConfigMap(this, 'config', { metadata: objectMeta(me, `${me.name}-config`), data: { 'alertmanager.yml': this.configText } });
    const sts = statefulWorkload(this, me, {
      replicas: slice.replicas,
      user: ALERTMANAGER_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { 'checksum/config': configChecksum(this.configText), ...scrapeAnnotations(Ports.alertmanager) },
      storage: slice.storage,
      ports: [
        { name: 'http', port: Ports.alertmanager },
        { name: 'cluster', port: Ports.alertmanagerCluster },
      ],
    });
    const peers = Array.from({ length: slice.replicas }, (_, i) => `--cluster.peer=${me.name}-${i}.${me.name}-headless.${me.namespace}.svc:${Ports.alertmanagerCluster}`);
    const secretMounts = receiverSecretNames(slice.receivers).map((secretName) => ({
      path: `${SECRETS_DIR}/${secretName}`,
      volume: kplus.Volume.fromSecret(this, `secret-${secretName}`, kplus.Secret.fromSecretName(this, `secret-ref-${secretName}`, secretName), { name: `secret-${secretName}` }),
      readOnly: true,
    }));
    sts.addContainer({
      name: 'alertmanager',
      ...imageOf(me),
      args: [
        '--config.file=/etc/alertmanager/config/alertmanager.yml',
        '--storage.path=/alertmanager',
        `--web.listen-address=:${Ports.alertmanager}`,
        `--web.external-url=http://${me.name}.${me.namespace}.svc:${Ports.alertmanager}`,
        ...(slice.replicas > 1 ? [`--cluster.listen-address=0.0.0.0:${Ports.alertmanagerCluster}`, ...peers] : ['--cluster.listen-address=']),
      ],
      ports: [
        { name: 'http', number: Ports.alertmanager },
        { name: 'cluster', number: Ports.alertmanagerCluster },
      ],
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(ALERTMANAGER_UID),
      readiness: httpProbe('/-/ready', Ports.alertmanager, 5),
      liveness: httpProbe('/-/healthy', Ports.alertmanager, 15, 6),
      volumeMounts: [
        { path: '/etc/alertmanager/config', volume: kplus.Volume.fromConfigMap(this, 'config-vol', configMap, { name: 'config' }), readOnly: true },
        { path: '/alertmanager', volume: claimVolume(this, 'data') },
        ...secretMounts,
      ],
    });
    componentService(this, 'service', me, [{ name: 'http', port: Ports.alertmanager }]);
  }
}
