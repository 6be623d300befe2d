import { Ports } from '../../common/names';

/**
 * The FL workload's HTTP server (server and clients alike): its metrics port and the paths of its
 * health, which the kubelet's probes and the health CLI call.
 */
export const FlApi = {
  /** The port of `/metrics`, `/readyz` and `/healthz`. */
  metricsPort: Ports.flMetrics,
  /** The metric contract. */
  metrics: '/metrics',
  /** Answers once the process serves its API. */
  ready: '/readyz',
  /** Answers while the process is alive. */
  healthy: '/healthz',
} as const;
