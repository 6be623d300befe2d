import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { checksumAnnotation, configFiles } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  componentService,
  componentServiceAccount,
  containerPorts,
  deploymentWorkload,
  containerResources,
  httpProbe,
  imageOf,
  objectMeta,
  restrictedContainerSecurity,
  scratchVolume,
  storageSize,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { compareCodeUnits } from '../../common/order';
import type { ProvisionedDashboard } from '../../monitoring/mixin';
import { GrafanaApi } from './api';
import { webTlsMount } from '../../common/web-tls';
import { dashboardProvidersFile, datasourcesFile, DASHBOARDS_DIR, DATA_DIR, grafanaEnv, PROVISIONING_DIR, type DatasourceValues } from './config';
import { toYaml } from '../../common/yaml';

/** Props of {@link Grafana}. */
export interface GrafanaProps extends ComponentProps {
  /** Its slice of the config: admin Secret, embedding, storage, resources. */
  readonly settings: StackConfig['grafana'];
  /** The stores it reads, as datasources. */
  readonly datasources: DatasourceValues;
  /** The URL users open it at, when an Ingress exposes it (its links and redirects name it). @default - Grafana's own default */
  readonly rootUrl?: string;
  /** Every component's dashboards. */
  readonly dashboards: readonly ProvisionedDashboard[];
  /** The web certificate Secret whose `ca.crt` the datasources of HTTPS Services verify with (`webTls`). @default - none mounted */
  readonly webTlsCaSecret?: string;
}

/** The grafana user of the upstream image. */
const GRAFANA_UID = 472;

/** Where the admin Secret's keys are mounted (read through the `__FILE` variables). */
const ADMIN_CREDENTIALS_DIR = '/etc/grafana/admin-credentials';

const HTTP = { name: 'http', port: GrafanaApi.port };

/**
 * Grafana with provisioned datasources (fixed uids) and every dashboard from ConfigMaps, one per
 * folder. The admin credentials come from a Secret through `__FILE` variables; the pod waits until
 * that Secret exists.
 */
export class Grafana extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const slice = props.settings;
    this.identity = { name: ComponentName.GRAFANA, role: ComponentRole.VISUALIZATION, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const datasources = toYaml(datasourcesFile(props.datasources));
    const providers = toYaml(dashboardProvidersFile());
    const provisioning = new kplus.ConfigMap(this, 'provisioning', {
      metadata: objectMeta(me, `${me.name}-provisioning`),
      data: { 'datasources.yaml': datasources, 'dashboards.yaml': providers },
    });

    const folders = [...new Set(props.dashboards.map((d) => d.folder))].sort();
    const folderMounts = folders.map((folder) => {
      const inFolder = props.dashboards.filter((d) => d.folder === folder).sort((a, b) => compareCodeUnits(a.uid, b.uid));
      const slug = folder.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      return configFiles(this, me, {
        id: `dashboards-${slug}`,
        files: Object.fromEntries(inFolder.map((d) => [`${d.uid}.json`, d.json])),
        mountPath: `${DASHBOARDS_DIR}/${folder}`,
      }).mount;
    });

    const deployment = deploymentWorkload(this, me, {
      // Grafana keeps its state in SQLite on one ReadWriteOnce volume: one replica, replaced not rolled.
      replicas: 1,
      recreate: true,
      user: GRAFANA_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { ...checksumAnnotation(datasources, providers, ...props.dashboards.map((d) => d.json)), ...scrapeAnnotations(HTTP.port) },
    });
    const adminSecret = kplus.Secret.fromSecretName(this, 'admin-secret', slice.adminSecret.name);
    const data = new kplus.PersistentVolumeClaim(this, 'data', {
      metadata: objectMeta(me, `${me.name}-data`),
      accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
      storage: storageSize(slice.storage),
      ...(slice.storage.storageClass === undefined ? {} : { storageClassName: slice.storage.storageClass }),
    });
    const health = { path: GrafanaApi.health, port: HTTP.port };
    deployment.addContainer({
      name: 'grafana',
      ...imageOf(me),
      envVariables: {
        ...Object.fromEntries(Object.entries(grafanaEnv(slice, props.rootUrl)).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
        GF_SECURITY_ADMIN_USER__FILE: kplus.EnvValue.fromValue(`${ADMIN_CREDENTIALS_DIR}/${slice.adminSecret.userKey}`),
        GF_SECURITY_ADMIN_PASSWORD__FILE: kplus.EnvValue.fromValue(`${ADMIN_CREDENTIALS_DIR}/${slice.adminSecret.passwordKey}`),
      },
      ports: containerPorts([HTTP]),
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(GRAFANA_UID),
      readiness: httpProbe(health),
      liveness: httpProbe({ ...health, periodSeconds: 20, failureThreshold: 6 }),
      startup: httpProbe({ ...health, periodSeconds: 5, failureThreshold: 60 }),
      volumeMounts: [
        { path: `${PROVISIONING_DIR}/datasources`, volume: kplus.Volume.fromConfigMap(this, 'ds-vol', provisioning, { name: 'datasources', items: { 'datasources.yaml': { path: 'datasources.yaml' } } }), readOnly: true },
        { path: `${PROVISIONING_DIR}/dashboards`, volume: kplus.Volume.fromConfigMap(this, 'prov-vol', provisioning, { name: 'dashboard-providers', items: { 'dashboards.yaml': { path: 'dashboards.yaml' } } }), readOnly: true },
        { path: ADMIN_CREDENTIALS_DIR, volume: kplus.Volume.fromSecret(this, 'admin-vol', adminSecret, { name: 'admin' }), readOnly: true },
        { path: DATA_DIR, volume: kplus.Volume.fromPersistentVolumeClaim(this, 'data-vol', data, { name: 'data' }) },
        { path: '/tmp', volume: scratchVolume(this, 'tmp') },
        ...folderMounts,
        ...(props.webTlsCaSecret === undefined ? [] : [webTlsMount(this, props.webTlsCaSecret, { caOnly: true })]),
      ],
    });
    componentService(this, 'service', me, [HTTP]);
  }
}
