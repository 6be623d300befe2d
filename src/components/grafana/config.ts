import type { StackConfig } from '../../config/schema';
import { ComponentName } from '../../common/names';
import { endpointUrl, Scheme, type Endpoint, type Topology } from '../../common/topology';
import { WebTlsFiles } from '../../common/web-tls';
import { DATASOURCE_NAMES, DatasourceUid } from '../../monitoring/datasources';


export interface GrafanaDatasource {
  readonly name: string;
  readonly uid: DatasourceUid;
  readonly type: 'prometheus' | 'loki' | 'alertmanager';
  readonly access: 'proxy';
  readonly url: string;
  readonly isDefault: boolean;
  readonly editable: false;
  readonly jsonData: Record<string, unknown>;
  /** Grafana keeps these encrypted; `$__file{…}` reads a mounted file at provisioning. @default - none */
  readonly secureJsonData?: Record<string, string>;
}

/**
 * The datasource fields that verify a Service's web certificate (`webTls`) with the mounted CA; none
 * for a plain HTTP Service. Grafana checks the certificate against the URL's host, the Service name.
 */
function webTlsFields(endpoint: Endpoint): Pick<GrafanaDatasource, 'jsonData' | 'secureJsonData'> {
  return endpoint.scheme === Scheme.HTTPS ? { jsonData: { tlsAuthWithCACert: true }, secureJsonData: { tlsCACert: `$__file{${WebTlsFiles.ca}}` } } : { jsonData: {} };
}

/** Whether any datasource's Service is served with the web certificate: Grafana then mounts its CA. */
export function datasourcesNeedWebTlsCa(values: DatasourceValues): boolean {
  return [values.prometheus, values.alertmanager].some((e) => e?.scheme === Scheme.HTTPS);
}

/** What datasources.yaml is rendered from: the Services of the deployed stores, resolved once. */
export interface DatasourceValues {
  /** Prometheus's Service (the default datasource). @default - Prometheus is not deployed: no datasource */
  readonly prometheus?: Endpoint;
  /** VictoriaMetrics's Service (the default without Prometheus). @default - not deployed: no datasource */
  readonly victoriaMetrics?: Endpoint;
  /** Loki's Service. @default - not deployed: no datasource */
  readonly loki?: Endpoint;
  /** Alertmanager's Service. @default - not deployed: no datasource */
  readonly alertmanager?: Endpoint;
  /** Thanos Query's Service (the long-term store of the central profile). @default - not deployed: no datasource */
  readonly thanosQuery?: Endpoint;
  /** The stack's scrape interval: the smallest step of a metrics query. */
  readonly scrapeInterval: string;
}

/** The {@link DatasourceValues} of a config: the endpoints of the stores it deploys. */
export function datasourceValues(config: StackConfig, topology: Topology): DatasourceValues {
  const deployed = (enabled: boolean, name: ComponentName): Endpoint | undefined => (enabled ? topology.endpoint(name) : undefined);
  return {
    prometheus: deployed(config.prometheus.enabled, ComponentName.PROMETHEUS),
    victoriaMetrics: deployed(config.victoriaMetrics.enabled, ComponentName.VICTORIA_METRICS),
    loki: deployed(config.loki.enabled, ComponentName.LOKI),
    alertmanager: deployed(config.alertmanager.enabled, ComponentName.ALERTMANAGER),
    thanosQuery: deployed(config.thanos.enabled, ComponentName.THANOS_QUERY),
    scrapeInterval: config.scrapeInterval,
  };
}

/** provisioning/datasources/datasources.yaml: one datasource per deployed store, with fixed uids. */
export function datasourcesFile(values: DatasourceValues): { apiVersion: 1; datasources: GrafanaDatasource[] } {
  const datasources: GrafanaDatasource[] = [];
  if (values.prometheus !== undefined) {
    const tls = webTlsFields(values.prometheus);
    datasources.push({
      name: DATASOURCE_NAMES[DatasourceUid.PROMETHEUS],
      uid: DatasourceUid.PROMETHEUS,
      type: 'prometheus',
      access: 'proxy',
      url: endpointUrl(values.prometheus),
      isDefault: true,
      editable: false,
      jsonData: { timeInterval: values.scrapeInterval, httpMethod: 'POST', prometheusType: 'Prometheus', ...tls.jsonData },
      ...(tls.secureJsonData === undefined ? {} : { secureJsonData: tls.secureJsonData }),
    });
  }
  if (values.victoriaMetrics !== undefined) {
    datasources.push({
      name: DATASOURCE_NAMES[DatasourceUid.VICTORIA_METRICS],
      uid: DatasourceUid.VICTORIA_METRICS,
      type: 'prometheus',
      access: 'proxy',
      url: endpointUrl(values.victoriaMetrics),
      isDefault: values.prometheus === undefined,
      editable: false,
      jsonData: { timeInterval: values.scrapeInterval, httpMethod: 'POST' },
    });
  }
  if (values.thanosQuery !== undefined) {
    datasources.push({
      name: DATASOURCE_NAMES[DatasourceUid.THANOS],
      uid: DatasourceUid.THANOS,
      type: 'prometheus',
      access: 'proxy',
      url: endpointUrl(values.thanosQuery),
      isDefault: values.prometheus === undefined && values.victoriaMetrics === undefined,
      editable: false,
      jsonData: { timeInterval: values.scrapeInterval, httpMethod: 'POST', prometheusType: 'Thanos' },
    });
  }
  if (values.loki !== undefined) {
    datasources.push({
      name: DATASOURCE_NAMES[DatasourceUid.LOKI],
      uid: DatasourceUid.LOKI,
      type: 'loki',
      access: 'proxy',
      url: endpointUrl(values.loki),
      isDefault: false,
      editable: false,
      jsonData: { maxLines: 1000 },
    });
  }
  if (values.alertmanager !== undefined) {
    const tls = webTlsFields(values.alertmanager);
    datasources.push({
      name: DATASOURCE_NAMES[DatasourceUid.ALERTMANAGER],
      uid: DatasourceUid.ALERTMANAGER,
      type: 'alertmanager',
      access: 'proxy',
      url: endpointUrl(values.alertmanager),
      isDefault: false,
      editable: false,
      jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false, ...tls.jsonData },
      ...(tls.secureJsonData === undefined ? {} : { secureJsonData: tls.secureJsonData }),
    });
  }
  return { apiVersion: 1, datasources };
}

/** Grafana's data directory (SQLite, plugins): the PVC. */
export const DATA_DIR = '/var/lib/grafana';
/** Where the provisioning files (datasources, dashboard providers) are mounted. */
export const PROVISIONING_DIR = '/etc/grafana/provisioning';
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

/** grafana.ini settings as environment variables (no file to template); `rootUrl`: where an Ingress serves it. */
export function grafanaEnv(settings: StackConfig['grafana'], rootUrl?: string): Record<string, string> {
  return {
    ...(rootUrl === undefined ? {} : { GF_SERVER_ROOT_URL: `${rootUrl}/` }),
    GF_PATHS_DATA: DATA_DIR,
    GF_PATHS_PROVISIONING: PROVISIONING_DIR,
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
    ...(settings.allowEmbedding
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
