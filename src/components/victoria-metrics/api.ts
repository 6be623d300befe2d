import { Ports } from '../../common/names';

/** VictoriaMetrics's HTTP port and its health path (the kubelet's probes and the health CLI call it). */
export const VictoriaMetricsApi = {
  port: Ports.victoriaMetrics,
  health: '/health',
} as const;
