import { Ports } from '../../common/names';

/** vmagent's HTTP port and its health path (the kubelet's probes and the health CLI call it). */
export const VmagentApi = {
  port: Ports.vmagent,
  health: '/health',
} as const;
