import { Ports } from '../../common/names';

/** Loki's HTTP port and the path that answers once its ring and ingester are up (the kubelet's probes and the health CLI call it). */
export const LokiApi = {
  port: Ports.loki,
  ready: '/ready',
} as const;
