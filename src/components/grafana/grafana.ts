import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import type { Topology } from '../../common/topology';
import { scrapeAnnotations } from '../../common/scrape';
import {
  componentService,
  componentServiceAccount,
  deploymentWorkload,
  configChecksum,
  containerResources,
  httpProbe,
  imageOf,
  objectMeta,
  resolveImage,
  restrictedContainerSecurity,
  scratchVolume,
  storageSize,
  type ComponentIdentity,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { dashboardProvidersFile, datasourcesFile, DASHBOARDS_DIR, grafanaEnv } from './config';

/** A dashboard to provision: its folder and its JSON text. */
export interface ProvisionedDashboard {
  readonly uid: string;
  readonly folder: string;
  readonly json: string;
}

/** Props of {@link Grafana}. */
export interface GrafanaProps {
  readonly config: StackConfig;
  readonly topology: Topology;
  /** Every component's dashboards. */
  readonly dashboards: readonly ProvisionedDashboard[];
}

/** The grafana user of the upstream image. */
const GRAFANA_UID = 472;

/**
 * Grafana with provisioned datasources (fixed uids) and every dashboard from ConfigMaps, one per
 * folder. The admin credentials come from a Secret through `__FILE` variables; the pod waits until
 * that Secret exists.
 */
export class Grafana extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const slice = props.config.grafana;
    this.identity = {
      name: ComponentName.GRAFANA,
      role: ComponentRole.VISUALIZATION,
      namespace: props.config.namespaces.monitoring,
      image: resolveImage('grafana', slice.image),
    };
    const me = this.identity;
    const datasources = stringify(datasourcesFile(props.config, props.topology), { lineWidth: 0 });
    const providers = stringify(dashboardProvidersFile(), { lineWidth: 0 });
    const provisioning = new kplus.ConfigMap(this, 'provisioning', {
      metadata: objectMeta(me, `${me.name}-provisioning`),
      data: { 'datasources.yaml': datasources, 'dashboards.yaml': providers },
    });

    const folders = [...new Set(props.dashboards.map((d) => d.folder))].sort();
    const folderMaps = folders.map((folder) => {
      const inFolder = props.dashboards.filter((d) => d.folder === folder).sort((a, b) => a.uid.localeCompare(b.uid));
      const slug = folder.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const map = new kplus.ConfigMap(this, `dashboards-${slug}`, {
        metadata: objectMeta(me, `${me.name}-dashboards-${slug}`),
        data: Object.fromEntries(inFolder.map((d) => [`${d.uid}.json`, d.json])),
      });
      return { folder, slug, map };
    });

    const checksum = configChecksum(datasources, providers, ...props.dashboards.map((d) => d.json));
    const deployment = deploymentWorkload(this, me, {
      // Grafana keeps its state in SQLite on one ReadWriteOnce volume: one replica, replaced not rolled.
      replicas: 1,
      recreate: true,
      user: GRAFANA_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { 'checksum/config': checksum, ...scrapeAnnotations(Ports.grafana) },
    });
    const adminSecret = kplus.Secret.fromSecretName(this, 'admin-secret', slice.adminSecret.name);
    const data = new kplus.PersistentVolumeClaim(this, 'data', {
      metadata: objectMeta(me, `${me.name}-data`),
      accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
      storage: storageSize(slice.storage),
      ...(slice.storage.storageClass === undefined ? {} : { storageClassName: slice.storage.storageClass }),
    });
    deployment.addContainer({
      name: 'grafana',
      ...imageOf(me),
      envVariables: {
        ...Object.fromEntries(Object.entries(grafanaEnv(props.config)).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
        GF_SECURITY_ADMIN_USER__FILE: kplus.EnvValue.fromValue(`/etc/grafana/admin-credentials/${slice.adminSecret.userKey}`),
        GF_SECURITY_ADMIN_PASSWORD__FILE: kplus.EnvValue.fromValue(`/etc/grafana/admin-credentials/${slice.adminSecret.passwordKey}`),
      },
      ports: [{ name: 'http', number: Ports.grafana }],
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(GRAFANA_UID),
      readiness: httpProbe('/api/health', Ports.grafana, 10),
      liveness: httpProbe('/api/health', Ports.grafana, 20, 6),
      startup: httpProbe('/api/health', Ports.grafana, 5, 60),
      volumeMounts: [
        { path: '/etc/grafana/provisioning/datasources', volume: kplus.Volume.fromConfigMap(this, 'ds-vol', provisioning, { name: 'datasources', items: { 'datasources.yaml': { path: 'datasources.yaml' } } }), readOnly: true },
        { path: '/etc/grafana/provisioning/dashboards', volume: kplus.Volume.fromConfigMap(this, 'prov-vol', provisioning, { name: 'dashboard-providers', items: { 'dashboards.yaml': { path: 'dashboards.yaml' } } }), readOnly: true },
        { path: '/etc/grafana/admin-credentials', volume: kplus.Volume.fromSecret(this, 'admin-vol', adminSecret, { name: 'admin' }), readOnly: true },
        { path: '/var/lib/grafana', volume: kplus.Volume.fromPersistentVolumeClaim(this, 'data-vol', data, { name: 'data' }) },
        { path: '/tmp', volume: scratchVolume(this, 'tmp') },
        ...folderMaps.map(({ folder, slug, map }) => ({
          path: `${DASHBOARDS_DIR}/${folder}`,
          volume: kplus.Volume.fromConfigMap(this, `dash-vol-${slug}`, map, { name: `dashboards-${slug}` }),
          readOnly: true,
        })),
      ],
    });
    componentService(this, 'service', me, [{ name: 'http', port: Ports.grafana }]);
  }
}
