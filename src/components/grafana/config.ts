import type { StackConfig } from '../../config/schema';
import { endpointUrl, type Topology } from '../../common/topology';

/** Fixed datasource uids: dashboards and links refer to these, so they never change. */
export enum DatasourceUid {
  PROMETHEUS = 'prometheus',
  VICTORIA_METRICS = 'victoriametrics',
  LOKI = 'loki',
  ALERTMANAGER = 'alertmanager',
}

export interface GrafanaDatasource {
  readonly name: string;
  readonly uid: DatasourceUid;
  readonly type: 'prometheus' | 'loki' | 'alertmanager';
  readonly access: 'proxy';
  readonly url: string;
  readonly isDefault: boolean;
  readonly editable: false;
  readonly jsonData: Record<string, unknown>;
}

/** provisioning/datasources/datasources.yaml */
export function datasourcesFile(config: StackConfig, topology: Topology): { apiVersion: 1; datasources: GrafanaDatasource[] } {
  const datasources: GrafanaDatasource[] = [];
  if (config.prometheus.enabled) {
    datasources.push({
      name: 'Prometheus',
      uid: DatasourceUid.PROMETHEUS,
      type: 'prometheus',
      access: 'proxy',
      url: endpointUrl(topology.prometheus),
      isDefault: true,
      editable: false,
      jsonData: { timeInterval: config.scrapeInterval, httpMethod: 'POST', prometheusType: 'Prometheus' },
    });
  }
  if (config.victoriaMetrics.enabled) {
    datasources.push({
      name: 'VictoriaMetrics',
      uid: DatasourceUid.VICTORIA_METRICS,
      type: 'prometheus',
      access: 'proxy',
      url: endpointUrl(topology.victoriaMetrics),
      isDefault: !config.prometheus.enabled,
      editable: false,
      jsonData: { timeInterval: config.scrapeInterval, httpMethod: 'POST' },
    });
  }
  if (config.loki.enabled) {
    datasources.push({
      name: 'Loki',
      uid: DatasourceUid.LOKI,
      type: 'loki',
      access: 'proxy',
      url: endpointUrl(topology.loki),
      isDefault: false,
      editable: false,
      jsonData: { maxLines: 1000 },
    });
  }
  if (config.alertmanager.enabled) {
    datasources.push({
      name: 'Alertmanager',
      uid: DatasourceUid.ALERTMANAGER,
      type: 'alertmanager',
      access: 'proxy',
      url: endpointUrl(topology.alertmanager),
      isDefault: false,
      editable: false,
      jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
    });
  }
  return { apiVersion: 1, datasources };
}

/** Where dashboards are mounted: one sub-directory per folder. */
export const DASHBOARDS_DIR = '/var/lib/grafana-dashboards';

/** provisioning/dashboards/dashboards.yaml: one provider, folders from the directory structure. */
export function dashboardProvidersFile(): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'fl-observability',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: DASHBOARDS_DIR, foldersFromFilesStructure: true },
      },
    ],
  };
}

/** grafana.ini settings as environment variables (no file to template). */
export function grafanaEnv(config: StackConfig): Record<string, string> {
  return {
    GF_PATHS_DATA: '/var/lib/grafana',
    GF_PATHS_PROVISIONING: '/etc/grafana/provisioning',
    GF_ANALYTICS_REPORTING_ENABLED: 'false',
    GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
    GF_USERS_ALLOW_SIGN_UP: 'false',
    GF_AUTH_ANONYMOUS_ENABLED: 'false',
    GF_SECURITY_DISABLE_GRAVATAR: 'true',
    GF_LOG_MODE: 'console',
    GF_LOG_CONSOLE_FORMAT: 'json',
    GF_NEWS_NEWS_FEED_ENABLED: 'false',
    GF_PLUGINS_PREINSTALL_DISABLED: 'true',
    ...(config.grafana.allowEmbedding
      ? {
          // Panels in another site's iframe (the training monitor embeds a dashboard): the session
          // cookie must be sent cross-site, which browsers allow only for SameSite=None; Secure, so
          // Grafana must then be served over HTTPS.
          GF_SECURITY_ALLOW_EMBEDDING: 'true',
          GF_SECURITY_COOKIE_SAMESITE: 'none',
          GF_SECURITY_COOKIE_SECURE: 'true',
        }
      : { GF_SECURITY_ALLOW_EMBEDDING: 'false', GF_SECURITY_COOKIE_SAMESITE: 'lax', GF_SECURITY_COOKIE_SECURE: 'false' }),
  };
}
