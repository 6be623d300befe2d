import { Ports } from '../../common/names';

/** Prometheus's HTTP port and the paths of its health (the kubelet's probes and the health CLI call them). */
export const PrometheusApi = {
  port: Ports.prometheus,
  /** Answers once the TSDB is open and the config loaded. */
  ready: '/-/ready',
  /** Answers while the process serves. */
  healthy: '/-/healthy',
} as const;
