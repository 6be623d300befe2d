/** Fixed datasource uids: dashboards and links refer to these, so they never change. */
export enum DatasourceUid {
  PROMETHEUS = 'prometheus',
  VICTORIA_METRICS = 'victoriametrics',
  LOKI = 'loki',
  ALERTMANAGER = 'alertmanager',
  THANOS = 'thanos',
}

/** The display name of each datasource (Grafana's datasource list, a dashboard variable's current value). */
export const DATASOURCE_NAMES: Readonly<Record<DatasourceUid, string>> = {
  [DatasourceUid.PROMETHEUS]: 'Prometheus',
  [DatasourceUid.VICTORIA_METRICS]: 'VictoriaMetrics',
  [DatasourceUid.LOKI]: 'Loki',
  [DatasourceUid.ALERTMANAGER]: 'Alertmanager',
  [DatasourceUid.THANOS]: 'Thanos',
};
