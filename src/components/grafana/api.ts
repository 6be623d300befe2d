import { Ports } from '../../common/names';

/** Grafana's HTTP port and its health path (the kubelet's probes and the health CLI call it). */
export const GrafanaApi = {
  port: Ports.grafana,
  /** 200 `{"database": "ok", …}` when Grafana and its database work, 503 when not. */
  health: '/api/health',
} as const;
